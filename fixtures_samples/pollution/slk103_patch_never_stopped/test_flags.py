import features


def test_beta_is_off_by_default():
    assert not features.enabled("beta-search")
