import pytest


@pytest.fixture(scope="session")
def cfg():
    return {"users": []}  # noqa: SLK101
