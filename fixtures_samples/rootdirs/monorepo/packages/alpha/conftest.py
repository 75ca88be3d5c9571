import pytest


@pytest.fixture(scope="session")
def cache():
    return {}  # expect: SLK101
