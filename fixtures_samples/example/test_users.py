def test_create_user(shared_config):
    shared_config["users"].append("alice")   # leaks into every later test
    assert shared_config["users"] == ["alice"]
