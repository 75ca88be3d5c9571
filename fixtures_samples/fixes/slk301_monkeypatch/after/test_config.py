import os
import sys

import pytest

from app import settings


def test_feature_enabled(tmp_path, monkeypatch):
    # the feature is switched on by the environment
    monkeypatch.setenv("FEATURE_X", "1")  # read by app.features
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "DEBUG", True)
    assert os.environ["FEATURE_X"] == "1"


@pytest.mark.parametrize("value", ["a", "b"])
def test_parametrized(value, monkeypatch):
    monkeypatch.setenv("MODE", value)
    monkeypatch.delenv("LANG")
    monkeypatch.delenv("TZ", raising=False)


class TestCli:
    def test_argv(self, monkeypatch):
        monkeypatch.setattr(sys, "argv", ["prog", "--verbose"])
        monkeypatch.setitem(sys.modules, "fake_backend", None)


@pytest.fixture
def debug_mode(monkeypatch):
    monkeypatch.setattr(settings, "DEBUG", True)
    yield settings
