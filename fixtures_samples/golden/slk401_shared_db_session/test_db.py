def test_one(db_session):
    assert db_session is not None
