import pytest


@pytest.fixture(scope="session")
def cfg():
    return {"users": [], "limits": {"max": 3}}  # noqa: SLK101


@pytest.fixture(scope="module")
def cart():
    return []  # noqa: SLK101


class Account:
    balance = 100


@pytest.fixture(scope="session")
def account():
    return Account()  # expect: SLK101


@pytest.fixture(scope="session")
def tags():
    return set()  # noqa: SLK101
