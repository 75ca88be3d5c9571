import pytest
from app import plugins
from app.plugins import add_hook, clear_hooks, register


@pytest.fixture
def with_hook():
    add_hook(print)  # expect: SLK605


@pytest.fixture
def hook_cleaned():
    add_hook(print)
    yield
    clear_hooks()


@pytest.fixture(scope="session")
def session_hook():
    add_hook(len)  # once for the session: not per test


@pytest.fixture
def isolated_plugins(monkeypatch):
    monkeypatch.setattr(plugins, "_PLUGINS", {})


@pytest.fixture
def unregisters():
    yield
    plugins.unregister("dummy")


@pytest.fixture
def registered_dummy():
    register("dummy", object)  # expect: SLK605
    return "dummy"
