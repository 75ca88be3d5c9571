import importlib
import sys

import pytest


@pytest.fixture(name="mod_path", params=[pytest.param("settings_v1"), pytest.param("settings_v2")])
def get_mod_path(request):
    mod_path = f"app.{request.param}"
    return mod_path


@pytest.fixture(name="settings_mod")
def get_settings_mod(mod_path):
    return importlib.import_module(mod_path)


@pytest.fixture(params=["constants", "plain"])
def module_name(request):
    return "app." + request.param


@pytest.fixture(params=[name for name in ("constants", "plain")])
def computed_name(request):
    return "app." + request.param


def test_constant_name(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    constants = importlib.import_module("app.constants")  # expect: SLK602
    assert constants.BIN_ROOT == "/opt/bin"


def test_dunder_import(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    __import__("app.constants")  # expect: SLK602


def test_name_from_a_parametrized_fixture(monkeypatch, module_name):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    assert importlib.import_module(module_name)  # expect: SLK602


def test_call_on_a_module_a_fixture_loads(monkeypatch, settings_mod):
    monkeypatch.setenv("ADMIN_EMAIL", "admin@example.com")
    assert settings_mod.get_config()["email"] == "admin@example.com"  # expect: SLK601


# silent ----------------------------------------------------------------------------------
def test_name_not_provable(monkeypatch, computed_name):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    assert importlib.import_module(computed_name)


def test_name_from_a_loop(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    for name in ("app.constants",):
        assert importlib.import_module(name)


def test_reimported_after_purge(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    monkeypatch.delitem(sys.modules, "app.constants", raising=False)
    assert importlib.import_module("app.constants").BIN_ROOT == "/opt/bin"


def test_call_on_a_module_without_a_patch(settings_mod):
    assert settings_mod.get_config()


def test_module_without_import_time_state(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    assert importlib.import_module("app.plain").NAME == "plain"
