import pytest


@pytest.fixture(scope="module")
def state():
    return {"count": 0}  # expect: SLK101
