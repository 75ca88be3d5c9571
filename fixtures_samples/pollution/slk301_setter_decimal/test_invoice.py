from decimal import Decimal


def test_third_of_a_cent():
    share = Decimal("0.01") / Decimal(3)
    assert str(share) == "0.003333333333333333333333333333"
