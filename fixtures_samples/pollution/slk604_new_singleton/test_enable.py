def test_enable_beta(settings):
    settings.enable("beta")
    assert settings.enabled("beta")
