import pytest


@pytest.fixture(scope="session")
def registry():
    return []  # expect: SLK101
