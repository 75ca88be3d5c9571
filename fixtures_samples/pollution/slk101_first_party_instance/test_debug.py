def test_debug_mode(settings):
    settings.debug = True
    assert settings.debug
