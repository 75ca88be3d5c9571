def test_production_defaults(settings):
    assert settings.debug is False
