def test_beta_is_off_by_default(settings):
    assert not settings.enabled("beta")
