"""Restores made by helpers of other modules, resets to a module's fresh value, targets named for what they are."""

import os

import pytest

from app import config
from app.config import Connection, connection, fetch, reset, _local
from tests import helpers


def test_reset_in_finally():
    config.DEBUG = True
    try:
        assert config.DEBUG
    finally:
        config.reset()


def test_imported_reset_in_finally():
    config.DEBUG = True
    try:
        assert config.DEBUG
    finally:
        reset()


def test_helper_restores_environment():
    os.environ["APP_MODE"] = "test"
    try:
        assert os.environ["APP_MODE"] == "test"
    finally:
        helpers.restore_env()


def test_helper_restores_something_else():
    os.environ["APP_MODE"] = "test"  # expect: SLK301
    try:
        assert os.environ["APP_MODE"] == "test"
    finally:
        helpers.unrelated()


def test_reset_not_in_finally():
    config.DEBUG = True  # expect: SLK301
    assert config.DEBUG
    config.configure(1)


def test_wrong_helper_in_finally():
    config.DEBUG = True  # expect: SLK301
    try:
        assert config.DEBUG
    finally:
        config.configure(30)


@pytest.fixture
def debug_on():
    config.DEBUG = True
    yield
    config.reset()


def test_uses_debug(debug_on):
    assert config.DEBUG


class TestTearDown:
    def teardown_method(self):
        config.reset()

    def test_debug(self):
        config.DEBUG = True
        assert config.DEBUG


def test_cache_reset():
    config._cache = {}
    assert config.lookup("x") is None


def test_registry_emptied():
    config._registry = {}  # expect: SLK301


def test_function_attribute():
    fetch.calls = 0  # expect: SLK301


def test_local_attribute():
    _local.user = "bob"  # expect: SLK301


def test_instance_attribute():
    connection.retries = 0  # expect: SLK301


def test_class_attribute():
    Connection.retries = 0  # expect: SLK301


def test_new_module_attribute():
    config.newstyle = True  # the module never defines it: nothing can read it


def test_new_setting():
    config.NEW_SETTING = 1  # expect: SLK301


def test_cached_value_dropped():
    if hasattr(config.connection, "features"):
        del config.connection.features
    assert config.connection.retries == 3


def test_attribute_deleted():
    del config.connection.retries  # expect: SLK301


def test_caches_flushed():
    import gettext

    gettext._translations = {}
    config.connection._cache = None
    config.connection.cached_url = None
    config.connection.cache_size = 0  # expect: SLK301


def test_global_bound_by_a_function():
    config._engine = "fake://"  # expect: SLK301


def test_reset_after_asserts():
    config.DEBUG = True  # expect: SLK301
    assert config.DEBUG
    config.reset()  # runs only when the assert passes
