import pytest


@pytest.fixture(params=[{"name": "widget"}])
def payload(request):
    return request.param


def test_enrich(payload):
    payload["price"] = 10
    assert payload["price"] == 10


def test_plain(payload):
    assert "price" not in payload
