import runpy
import sys

import pytest


def test_imports_the_entry_point():
    import app.__main__  # expect: SLK602

    assert app.__main__


def test_from_package_import_main():
    from app import __main__  # expect: SLK602

    assert __main__


@pytest.fixture
def purge_late():
    yield
    sys.modules.pop("app.cli", None)


def test_purge_after_yield_is_too_late(purge_late, monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    from app.cli import BIN_ROOT  # expect: SLK602

    assert BIN_ROOT == "/opt/bin"


# silent ----------------------------------------------------------------------------------
@pytest.fixture
def fresh_modules(monkeypatch):
    monkeypatch.delitem(sys.modules, "app.__main__", raising=False)
    monkeypatch.delitem(sys.modules, "app.cli", raising=False)
    yield


def test_purged_before(fresh_modules, monkeypatch):
    monkeypatch.setenv("BIN_ROOT", "/opt/bin")
    import app.__main__
    from app.cli import BIN_ROOT

    assert app.__main__ and BIN_ROOT == "/opt/bin"


def test_guarded_main_does_not_run_at_import():
    import tool.__main__

    assert tool.__main__


def test_expected_to_exit():
    with pytest.raises(SystemExit):
        import app.__main__  # noqa: F401  (a failed import is not kept: the next one runs again)


def test_runpy():
    runpy.run_module("app", run_name="__main__")


def test_suppressed_exit():
    from contextlib import suppress

    with suppress(SystemExit):
        import app.__main__  # noqa: F401


def test_caught_exit():
    try:
        import app.__main__  # noqa: F401
    except SystemExit:
        pass
