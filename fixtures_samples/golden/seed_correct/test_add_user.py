def test_add_user(test_config):
    test_config["users"].append("alice")  # Safe - isolated to this test


def test_settings(local_settings):
    local_settings["debug"] = True
