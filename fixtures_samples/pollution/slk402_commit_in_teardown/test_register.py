def test_register_user(db):
    db.execute("INSERT INTO users VALUES ('alice')")
    assert db.execute("SELECT count(*) FROM users").fetchone() == (1,)
