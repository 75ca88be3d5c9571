import pytest


@pytest.fixture(scope="session")
def shared_config():
    return {"database_url": "sqlite:///test.db", "users": []}
