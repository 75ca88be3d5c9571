import pytest


@pytest.fixture(params=[{"total": 100}])
def order(request):
    return request.param


def apply_discount(order):
    order["total"] -= 10


def test_discount(order):
    apply_discount(order)
    assert order["total"] == 90


def test_total(order):
    assert order["total"] == 100
