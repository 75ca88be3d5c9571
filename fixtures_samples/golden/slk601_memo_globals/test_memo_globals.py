import os
from unittest import mock

import pytest

from app import lazy, testing
from app.config import current_env, get_backend, get_settings


@pytest.fixture
def prod(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")


@pytest.fixture
def clean():
    yield
    testing.reset_all()


def test_lazy_singleton(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert get_settings().env == "prod"  # expect: SLK601


def test_memo_dict(monkeypatch):
    monkeypatch.setenv("BACKEND_REDIS", "redis://")
    assert get_backend("redis") == "redis://"  # expect: SLK601


def test_through_another_function(prod):
    assert current_env() == "prod"  # expect: SLK601


def test_try_except_memo():
    with mock.patch.dict(os.environ, {"GITHUB_TOKEN": "t"}):
        assert lazy.token("github") == "t"  # expect: SLK601


def test_get_is_none_memo(monkeypatch):
    monkeypatch.setenv("REGION", "us")
    assert lazy.region("a") == "us"  # expect: SLK601


def test_or_memo(monkeypatch):
    monkeypatch.setenv("HOME_DIR", "/srv")
    assert lazy.home() == "/srv"  # expect: SLK601


# silent ----------------------------------------------------------------------------------
def test_filled_on_every_call(monkeypatch):
    monkeypatch.setenv("APP_STATE", "x")
    assert lazy.state() == "x"


def test_guard_about_another_global(monkeypatch):
    monkeypatch.setenv("X", "1")
    assert lazy.seen("X") == "1"


def test_memo_reads_nothing_patched(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert lazy.label("a") == "A"


def test_no_patch():
    assert get_settings().env == "dev"


def test_fixture_calls_a_resetter(clean, monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert get_settings().env == "prod"
