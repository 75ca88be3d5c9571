import decimal
from decimal import Decimal


def test_rounds_to_five_digits():
    decimal.getcontext().prec = 5
    assert Decimal(2) / Decimal(3) == Decimal("0.66667")
