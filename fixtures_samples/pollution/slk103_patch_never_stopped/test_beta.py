import features


def test_beta_search(beta_enabled):
    assert features.enabled("beta-search")
