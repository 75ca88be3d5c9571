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
