"""Every kind of process-global write SLK301 knows, in tests and fixtures."""

import locale
import logging
import os
import socket
import sys
from json import JSONEncoder
from os import environ

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

import app.settings as settings

log = logging.getLogger("app")
CALLS = 0


def test_environment():
    os.environ["FEATURE_X"] = "1"  # expect: SLK301
    environ["FEATURE_Y"] = "1"  # expect: SLK301
    del os.environ["HOME"]  # expect: SLK301
    os.environ.pop("LANG", None)  # expect: SLK301
    os.environ.update({"TZ": "UTC"})  # expect: SLK301
    os.putenv("PAGER", "cat")  # expect: SLK301


def test_interpreter(tmp_path):
    sys.path.insert(0, str(tmp_path))  # expect: SLK301
    sys.modules["fake_backend"] = object()  # expect: SLK301
    sys.argv = ["prog", "--verbose"]  # expect: SLK301
    os.chdir(tmp_path)  # expect: SLK301
    os.umask(0o077)  # expect: SLK301


def test_modules_and_classes():
    global CALLS
    CALLS += 1  # expect: SLK301
    settings.DEBUG = True  # expect: SLK301
    JSONEncoder.item_separator = ";"  # expect: SLK301
    setattr(settings, "TIMEOUT", 0)  # expect: SLK301


def test_libraries():
    mpl.rcParams["lines.linewidth"] = 3  # expect: SLK301
    plt.rcParams.update({"font.size": 8})  # expect: SLK301
    locale.setlocale(locale.LC_ALL, "C")  # expect: SLK301
    socket.setdefaulttimeout(1)  # expect: SLK301
    logging.disable(logging.CRITICAL)  # expect: SLK301
    log.setLevel(logging.DEBUG)  # expect: SLK301


@pytest.fixture(scope="module")
def offline():
    os.environ["NO_NETWORK"] = "1"  # expect: SLK301
    yield


class TestMethods:
    def test_method(self):
        os.environ["IN_CLASS"] = "1"  # expect: SLK301


def test_counter_starts_at_zero():
    assert CALLS == 0
