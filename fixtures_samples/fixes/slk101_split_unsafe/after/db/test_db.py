def test_db(database, settings):
    settings["users"].append("x")
    assert database["url"].endswith("db.sqlite")
