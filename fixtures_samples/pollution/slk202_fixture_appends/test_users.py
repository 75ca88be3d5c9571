def test_no_users_yet(settings):
    assert settings["users"] == []
