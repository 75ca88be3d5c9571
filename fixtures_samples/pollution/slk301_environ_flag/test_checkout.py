import features


def test_classic_checkout_is_default():
    assert features.checkout_flow() == "classic"
