import functools

import pytest

REGISTRY = {}
DEFAULTS = ("a", "b")
HANDLERS = []


class Service:
    @classmethod
    def instance(cls):
        return cls()


@functools.lru_cache(maxsize=None)
def load_settings():
    return {"debug": False}


@pytest.fixture
def registry():
    return REGISTRY  # expect: SLK102


@pytest.fixture
def handlers():
    yield HANDLERS  # expect: SLK102


@pytest.fixture
def settings():
    return load_settings()  # expect: SLK102


@pytest.fixture
def service():
    return Service.instance()  # expect: SLK102


# ---- silent: immutable globals, copies, fresh values
@pytest.fixture
def defaults():
    return DEFAULTS


@pytest.fixture
def registry_copy():
    return dict(REGISTRY)


@pytest.fixture
def fresh():
    local = {}
    return local
