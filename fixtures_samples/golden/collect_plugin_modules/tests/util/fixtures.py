import pytest


@pytest.fixture(scope="module")
def seen_ids():
    return set()  # expect: SLK101
