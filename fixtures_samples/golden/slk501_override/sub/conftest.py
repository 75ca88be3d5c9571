import pytest


@pytest.fixture
def db():
    return object()


@pytest.fixture(scope="module")
def repo(db):  # expect: SLK501
    return db
