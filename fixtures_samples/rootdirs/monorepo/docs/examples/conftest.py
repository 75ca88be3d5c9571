import pytest


@pytest.fixture(scope="module")
def snippets():
    return {}  # expect: SLK101
