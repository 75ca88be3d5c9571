import pytest


@pytest.fixture(scope="session")
def pages():
    return []  # expect: SLK101
