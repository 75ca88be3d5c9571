def test_config(shared_config, consumer):
    assert shared_config["users"] == [] and consumer == 2
