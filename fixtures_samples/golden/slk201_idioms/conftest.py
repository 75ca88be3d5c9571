import pytest


@pytest.fixture(scope="session")
def cfg():
    return {"users": []}  # noqa: SLK101


@pytest.fixture(scope="session")
def names():
    return ("a", "b")


@pytest.fixture(scope="session")
def engine_like():
    return object()


@pytest.fixture
def local_cfg():
    return {"users": []}
