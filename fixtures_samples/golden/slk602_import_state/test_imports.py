import importlib
import os
from unittest import mock


def test_import_in_patched_context():
    with mock.patch.dict(os.environ, {"BIN_ROOT": "/opt/bin"}):
        from app.constants import BIN_ROOT  # expect: SLK602
    assert BIN_ROOT == "/opt/bin"


def test_import_after_setenv(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    import app.constants  # expect: SLK602

    assert app.constants.BIN_ROOT == "/opt/bin"


# silent ----------------------------------------------------------------------------------
def test_import_without_patch():
    from app.constants import BIN_ROOT

    assert BIN_ROOT


def test_reloads(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    import app.constants

    importlib.reload(app.constants)


def test_module_without_state(monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    from app.plain import NAME

    assert NAME


def test_other_key(monkeypatch):
    monkeypatch.setenv("OTHER", "1")
    from app.constants import BIN_ROOT

    assert BIN_ROOT
