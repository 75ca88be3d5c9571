import pytest


@pytest.fixture(scope="session")
def stats():
    return {"events": 0}
