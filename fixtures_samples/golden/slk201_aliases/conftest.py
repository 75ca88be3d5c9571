import pytest


@pytest.fixture(scope="session")
def state():
    return {"count": 0, "items": [{"flag": False}]}  # expect: SLK101


@pytest.fixture(scope="module")
def loaded():
    return {"extra": 1}, {"meta": True}  # expect: SLK101
