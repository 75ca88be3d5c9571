import pytest

REGISTRY = {}


@pytest.fixture
def registry():
    return REGISTRY
