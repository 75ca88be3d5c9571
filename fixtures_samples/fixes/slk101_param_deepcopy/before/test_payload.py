import pytest


@pytest.fixture(params=[{"name": "widget"}, {"name": "gadget"}])
def payload(request):
    """Each payload the API accepts."""
    return request.param


def test_payload(payload):
    payload["seen"] = True
    assert payload["name"]
