import pytest


@pytest.fixture(scope="session")
def items():
    return []  # noqa: SLK101
