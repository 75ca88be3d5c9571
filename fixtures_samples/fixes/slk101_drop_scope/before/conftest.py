"""Shared fixtures."""
import pytest


@pytest.fixture(scope="session", autouse=False)  # the config every test reads
def shared_config():
    # built from literals: safe to rebuild for each test
    return {"database_url": "sqlite:///test.db", "users": []}


@pytest.fixture(scope="module")
def names():
    return ["alice", "bob"]


@pytest.fixture(scope="session")
def consumer(names):
    return len(names)
