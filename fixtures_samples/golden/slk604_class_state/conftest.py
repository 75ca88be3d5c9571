import pytest
from app.registry import Config, Fresh, Registry


@pytest.fixture
def registry():
    return Registry()


@pytest.fixture
def fresh():
    return Fresh()


@pytest.fixture
def config():
    return Config.instance()  # expect: SLK102


@pytest.fixture
def plain_config():
    return Config()


@pytest.fixture
def cleaned():
    r = Registry()
    yield r
    Registry.handlers.clear()
