import pytest


@pytest.fixture(scope="session")
def db():
    return object()


@pytest.fixture(scope="session")
def client(db):  # expect: SLK501
    # fine for test_top.py, but tests under sub/ get sub/conftest.py's function-scoped db
    return db
