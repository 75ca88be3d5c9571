def test_no_users_yet(db):
    assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)
