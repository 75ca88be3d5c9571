import pytest


@pytest.fixture(scope="session")
def extracted():
    return {"total": 3, "name": "x"}
