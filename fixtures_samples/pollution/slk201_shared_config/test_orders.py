def test_place_order(shared_config):
    assert shared_config["users"] == []
