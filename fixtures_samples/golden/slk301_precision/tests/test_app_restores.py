"""Restores seen in application suites: an autouse fixture setting a logger's handlers back (flask), a
CapWords environment context manager (hatch's ``EnvVars``), a module-level ``mock.patch.dict`` patcher
started in setup_function and stopped in teardown_function (jupyter_core)."""
import logging
import os
from unittest import mock

import pytest

resetenv = mock.patch.dict(os.environ)


class EnvVars(dict):
    def __enter__(self):
        self.saved = dict(os.environ)

    def __exit__(self, *exc):
        os.environ.clear()
        os.environ.update(self.saved)


@pytest.fixture(autouse=True)
def reset_logging():
    root_handlers = logging.root.handlers[:]
    logging.root.handlers = []
    yield
    logging.root.handlers[:] = root_handlers


def setup_function():
    resetenv.start()
    os.environ.pop("APP_CONFIG", None)
    os.environ["APP_PREFER_ENV"] = "no"


def teardown_function():
    resetenv.stop()


def test_root_handler():
    logging.root.addHandler(logging.StreamHandler())


def test_named_logger_handler():
    logging.getLogger("app").addHandler(logging.StreamHandler())  # expect: SLK301


def test_env_in_env_vars_block():
    with EnvVars():
        os.environ.clear()


def test_env_between_setup_and_teardown():
    os.environ.pop("APP_PREFER_ENV", None)


MOD_NAME = "app.config"


def test_fresh_import():
    import importlib
    import sys

    if MOD_NAME in sys.modules:
        del sys.modules[MOD_NAME]
    importlib.import_module(MOD_NAME)


def test_fresh_import_of_another_module():
    import importlib
    import sys

    sys.modules.pop(MOD_NAME, None)  # expect: SLK301
    importlib.import_module("app")


def test_dropped_then_run_as_main():
    import runpy
    import sys

    sys.modules.pop(MOD_NAME, None)  # expect: SLK301
    runpy.run_module(MOD_NAME, run_name="__main__")
