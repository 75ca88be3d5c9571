"""What SLK301 leaves alone: every change here is undone, or is not global state."""

import contextlib
import os
import sys
import warnings
from unittest import mock

import matplotlib as mpl
import pytest

import app_settings as settings


def test_monkeypatch(monkeypatch, tmp_path):
    monkeypatch.setenv("FEATURE_X", "1")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "DEBUG", True)


@mock.patch.dict(os.environ, {"FEATURE_X": "1"})
def test_patch_decorator():
    os.environ["FEATURE_Y"] = "1"


def test_patch_block():
    with mock.patch.object(sys, "argv", ["prog"]):
        sys.argv.append("--verbose")
    with mock.patch.dict(sys.modules):
        sys.modules["fake"] = None


def test_finally(tmp_path):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert os.listdir() == []
    finally:
        os.chdir(old)


def test_set_then_unset():
    os.environ["FEATURE_X"] = "1"
    assert os.environ["FEATURE_X"] == "1"
    del os.environ["FEATURE_X"]


def test_restoring_blocks(tmp_path):
    with contextlib.chdir(tmp_path):
        os.chdir(tmp_path)
    with mpl.rc_context():
        mpl.rcParams["lines.linewidth"] = 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")


def test_copies_and_locals():
    env = os.environ.copy()
    env["FEATURE_X"] = "1"

    class Config:
        debug = False

    config = Config()
    config.debug = True


@pytest.fixture
def feature_flag():
    os.environ["FEATURE_X"] = "1"
    yield
    os.environ.pop("FEATURE_X", None)


@pytest.fixture(autouse=True)
def restore_settings():
    saved = settings.DEBUG
    yield
    settings.DEBUG = saved


def test_autouse_restores():
    settings.DEBUG = True


def helper_that_is_no_test():
    os.environ["HELPER"] = "1"


if __name__ == "__main__":
    os.chdir("/")


def test_set_and_set_back():
    settings.MODE = "fast"
    assert settings.MODE == "fast"
    settings.MODE = "default"


@pytest.fixture
def no_handlers():
    saved = settings.HANDLERS[:]
    settings.HANDLERS = []
    yield
    settings.HANDLERS[:] = saved


def test_object_the_test_made():
    params = mpl.RcParams()
    params.value = 1
