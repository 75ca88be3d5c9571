import pytest


@pytest.fixture
def db():
    return object()


@pytest.fixture(scope="session")
def engine():
    return object()
