import pytest

from functools import lru_cache

REGISTRY = {}


@lru_cache
def load_catalog():
    return {"items": []}


@pytest.fixture
def registry():
    yield REGISTRY


@pytest.fixture
def catalog():
    return load_catalog()
