"""The seed document's "CORRECT" version: a session value, a fresh dict per test."""
import pytest


@pytest.fixture(scope="session")
def shared_config():
    return {"database_url": "sqlite:///test.db"}


@pytest.fixture
def test_config(shared_config):
    """Each test gets its own copy."""
    return {**shared_config, "users": []}  # Fresh dict per test


@pytest.fixture(scope="module")
def settings():
    return {"debug": False}


@pytest.fixture
def local_settings(settings):
    return dict(settings)
