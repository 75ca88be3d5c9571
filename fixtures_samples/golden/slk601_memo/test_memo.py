import os
from unittest import mock

import pytest

from app import settings
from app.settings import get_config, get_name, load


@pytest.fixture
def debug_env(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")


def test_patch_then_call(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert get_config()["debug"]  # expect: SLK601


def test_through_another_function(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert load()  # expect: SLK601


def test_patched_global(monkeypatch):
    monkeypatch.setattr(settings, "TIMEOUT", 1)
    assert settings.get_config()["timeout"] == 1  # expect: SLK601


def test_fixture_patches(debug_env):
    assert get_config()["debug"]  # expect: SLK601


def test_context_manager():
    with mock.patch.dict(os.environ, {"APP_DEBUG": "1"}):
        assert get_config()["debug"]  # expect: SLK601


# silent ----------------------------------------------------------------------------------
def test_clears_the_cache(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    get_config.cache_clear()
    assert get_config()["debug"]
    get_config.cache_clear()


def test_reset_helper(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    settings.reset()
    assert get_config()["debug"]


def test_other_key(monkeypatch):
    monkeypatch.setenv("OTHER", "1")
    assert not get_config()["debug"]


def test_reads_nothing_patched(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert get_name() == "app"


def test_call_after_the_patch_ends():
    with mock.patch.dict(os.environ, {"APP_DEBUG": "1"}):
        pass
    assert not get_config()["debug"]


def test_no_patch():
    assert not get_config()["debug"]
