def test_config(config_file):
    config_file.write("x = 1")


def test_users(conn):
    assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
