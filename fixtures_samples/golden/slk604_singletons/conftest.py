import pytest
from app.config import Config, Factory, Reinit
from app.registry import get_instance, get_lazy, get_registry, make_registry


@pytest.fixture
def config():
    return Config()


@pytest.fixture
def reinit():
    return Reinit()


@pytest.fixture
def factory():
    return Factory()


@pytest.fixture
def registry():
    return get_registry()


@pytest.fixture
def lazy():
    return get_lazy()


@pytest.fixture
def fresh():
    return make_registry()


@pytest.fixture
def cleaned():
    registry = get_registry()
    yield registry
    registry.handlers.clear()


@pytest.fixture(scope="session")
def session_config():
    return Config()  # expect: SLK101


@pytest.fixture
def reset_handlers():
    yield
    get_registry().handlers.clear()


@pytest.fixture
def instance():
    return get_instance()  # expect: SLK102
