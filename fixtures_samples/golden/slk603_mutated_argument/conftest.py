import pytest


@pytest.fixture(scope="session")
def extracted():
    return {"total": 3}  # expect: SLK101


@pytest.fixture
def fresh():
    return {"total": 3}
