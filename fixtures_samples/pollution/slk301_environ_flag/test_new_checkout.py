import os

import features


def test_new_checkout_flow():
    os.environ["FEATURE_NEW_CHECKOUT"] = "1"
    assert features.checkout_flow() == "new"
