import os
import sys

import pytest

from app import settings


def test_feature_enabled(tmp_path):
    # the feature is switched on by the environment
    os.environ["FEATURE_X"] = "1"  # read by app.features
    sys.path.insert(0, str(tmp_path))
    os.chdir(tmp_path)
    settings.DEBUG = True
    assert os.environ["FEATURE_X"] == "1"


@pytest.mark.parametrize("value", ["a", "b"])
def test_parametrized(value, monkeypatch):
    monkeypatch.setenv("MODE", value)
    del os.environ["LANG"]
    os.environ.pop("TZ", None)


class TestCli:
    def test_argv(self):
        sys.argv = ["prog", "--verbose"]
        sys.modules["fake_backend"] = None


@pytest.fixture
def debug_mode():
    setattr(settings, "DEBUG", True)
    yield settings
