import copy
import pytest

from functools import lru_cache

REGISTRY = {}


@lru_cache
def load_catalog():
    return {"items": []}


@pytest.fixture
def registry():
    yield copy.deepcopy(REGISTRY)


@pytest.fixture
def catalog():
    return copy.deepcopy(load_catalog())
