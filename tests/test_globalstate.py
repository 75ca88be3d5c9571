"""SLK301 global-state-not-restored: what counts as a write, what counts as restoring it, the fixes."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from helpers import expected, lint, write_project
from sessionlint.cli import main
from sessionlint.config import Settings
from sessionlint.rules import RULES

RULE = RULES["SLK301"]


def slk301(root: Path, settings: Settings | None = None):
    result = lint(root, settings or Settings(root=str(root), select=("SLK301",)))
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == "SLK301"]


def found_lines(root: Path, settings: Settings | None = None) -> list[tuple[str, int, str]]:
    return sorted((str(Path(d.path).relative_to(root)), d.line, d.code) for d in slk301(root, settings))


def check_marks(tmp_path: Path, source: str, files: dict[str, str] | None = None, settings=None) -> None:
    root = write_project(tmp_path, {"test_mod.py": source, **(files or {})})
    marks = [m for m in expected(root) if m[2] == "SLK301"]
    assert found_lines(root, settings) == marks


def fix(tmp_path: Path, files: dict[str, str], unsafe: bool = False) -> dict[str, str]:
    root = write_project(tmp_path, files)
    flags = ["--fix", "--exit-non-zero-on-fix", "--no-cache", "--isolated", "-q"] + (["--unsafe-fixes"] if unsafe else [])
    main([*flags, str(root)])
    first = {name: (root / name).read_text() for name in files}
    main([*flags, str(root)])  # idempotent: a second --fix changes nothing
    assert {name: (root / name).read_text() for name in files} == first
    return first


# --------------------------------------------------------------------------------------------
# positives, one per target

POSITIVES = {
    "environ_set": """
        import os

        def test_x():
            os.environ["FEATURE_X"] = "1"  # expect: SLK301
    """,
    "environ_del_pop_update": """
        import os

        def test_x():
            del os.environ["A"]  # expect: SLK301
            os.environ.pop("B", None)  # expect: SLK301
            os.environ.update({"C": "1"})  # expect: SLK301
            os.environ.setdefault("D", "1")  # expect: SLK301
            os.environ.clear()  # expect: SLK301
    """,
    "putenv_unsetenv": """
        import os

        def test_x():
            os.putenv("A", "1")  # expect: SLK301
            os.unsetenv("B")  # expect: SLK301
    """,
    "from_os_import_environ": """
        from os import environ

        def test_x():
            environ["A"] = "1"  # expect: SLK301
    """,
    "import_os_path": """
        import os.path

        def test_x(tmp_path):
            os.chdir(tmp_path)  # expect: SLK301
    """,
    "environ_alias": """
        import os

        def test_x():
            env = os.environ
            env["A"] = "1"  # expect: SLK301
    """,
    "sys_path": """
        import sys

        def test_x(tmp_path):
            sys.path.insert(0, str(tmp_path))  # expect: SLK301
            sys.path.append("b")  # expect: SLK301
            sys.path.extend(["c"])  # expect: SLK301
            sys.path += ["d"]  # expect: SLK301
    """,
    "sys_modules_argv": """
        import sys

        def test_x():
            sys.modules["fake"] = object()  # expect: SLK301
            del sys.modules["json"]  # expect: SLK301
            sys.argv = ["prog", "--flag"]  # expect: SLK301
            sys.argv.append("-v")  # expect: SLK301
    """,
    "chdir_umask": """
        import os

        def test_x(tmp_path):
            os.chdir(tmp_path)  # expect: SLK301
            os.umask(0o077)  # expect: SLK301
    """,
    "global_rebinding": """
        CALLS = 0

        def test_x():
            global CALLS
            CALLS += 1  # expect: SLK301
            CALLS = 5  # expect: SLK301

        def test_reads():
            assert CALLS == 0
    """,
    "module_and_class_attributes": """
        import json
        from decimal import Decimal
        import app.settings as settings

        def test_x():
            settings.DEBUG = True  # expect: SLK301
            Decimal.precision = 3  # expect: SLK301
            setattr(json, "X", 1)  # expect: SLK301
            delattr(json, "Y")  # expect: SLK301
            del settings.OTHER  # expect: SLK301
            settings.nested.value = 2  # expect: SLK301 (module-level state of an imported module)
    """,
    "setters_called_as_functions": """
        import abc
        import collections.abc
        import faulthandler
        import logging
        import signal
        import sys
        import matplotlib
        import mpmath
        import numpy as np
        from scipy import special

        class Mine:
            pass

        def test_x():
            np.seterr(all="ignore")  # expect: SLK301
            np.set_printoptions(precision=2)  # expect: SLK301
            np.polynomial.set_default_printstyle("unicode")  # expect: SLK301
            special.seterr(all="raise")  # expect: SLK301
            sys.setrecursionlimit(50)  # expect: SLK301
            matplotlib.use("Agg")  # expect: SLK301
            faulthandler.enable()  # expect: SLK301
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # expect: SLK301
            logging.getLogger("app").addHandler(logging.NullHandler())  # expect: SLK301
            collections.abc.Sequence.register(Mine)  # expect: SLK301
            sys.excepthook = print  # expect: SLK301
            mpmath.mp.prec = 50  # expect: SLK301
    """,
    "attributes_of_modules_imported_by_dotted_name": """
        import os.path
        import app.conf.settings
        import app.other as other

        def test_x():
            os.path.sep = "|"  # expect: SLK301
            app.conf.settings.DEBUG = True  # expect: SLK301
            setattr(app.conf, "X", 1)  # expect: SLK301
            other.ONE_LEVEL = 1  # expect: SLK301
    """,
    "subscript_after_yield_restores_only_its_own_target": """
        import pytest
        import mod

        @pytest.fixture
        def handlers():
            saved = mod.handlers[:]
            mod.handlers = []
            mod.other = []  # expect: SLK301
            yield
            mod.unrelated[:] = saved
            mod.handlers[:] = saved
    """,
    "a_single_assignment_in_a_loop_is_no_restore": """
        import mod

        def test_x():
            for value in (1, 2):
                mod.FLAG = value  # expect: SLK301
            mod.COUNT += 1  # expect: SLK301
            mod.COUNT += 1  # expect: SLK301
    """,
    "importorskip_is_an_import": """
        import pytest

        mpl = pytest.importorskip("matplotlib")

        def test_x():
            np = pytest.importorskip("numpy")
            mpl.rcParams["lines.linewidth"] = 3  # expect: SLK301
            np.some_flag = True  # expect: SLK301
    """,
    "matplotlib": """
        import matplotlib
        import matplotlib as mpl
        import matplotlib.pyplot as plt
        from matplotlib import rcParams

        def test_x():
            matplotlib.rcParams["a"] = 1  # expect: SLK301
            plt.rcParams["b"] = 1  # expect: SLK301
            mpl.rcParams.update({"c": 1})  # expect: SLK301
            rcParams["d"] = 1  # expect: SLK301
            plt.style.use("ggplot")  # expect: SLK301
            mpl.rc("lines", linewidth=2)  # expect: SLK301
    """,
    "locale_socket_logging": """
        import locale
        import logging
        import socket

        log = logging.getLogger("app")

        def test_x():
            locale.setlocale(locale.LC_ALL, "C")  # expect: SLK301
            socket.setdefaulttimeout(3)  # expect: SLK301
            logging.disable(logging.CRITICAL)  # expect: SLK301
            logging.getLogger("x").setLevel(logging.DEBUG)  # expect: SLK301
            logging.root.setLevel(logging.DEBUG)  # expect: SLK301
            log.setLevel(logging.ERROR)  # expect: SLK301
            local = logging.getLogger()
            local.setLevel(logging.INFO)  # expect: SLK301
    """,
    "fixtures_of_every_scope": """
        import os
        import pytest

        @pytest.fixture
        def a():
            os.environ["A"] = "1"  # expect: SLK301
            yield

        @pytest.fixture(scope="module")
        def b():
            os.environ["B"] = "1"  # expect: SLK301
            return 1

        @pytest.fixture(scope="session", autouse=False)
        def c():
            os.environ["C"] = "1"  # expect: SLK301
    """,
    "methods_and_async": """
        import os

        class TestX:
            def test_x(self):
                os.environ["A"] = "1"  # expect: SLK301

            async def test_y(self):
                os.environ["B"] = "1"  # expect: SLK301
    """,
    "a_second_literal_set_is_no_restore": """
        import os

        def test_x():
            os.environ["A"] = "1"  # expect: SLK301
            os.environ["A"] = "2"  # expect: SLK301
    """,
    "a_value_built_from_the_saved_one_is_no_restore": """
        import os

        def test_x():
            old = os.environ["PATH"]
            os.environ["PATH"] = old + ":/opt/bin"  # expect: SLK301
            cwd = os.getcwd()
            os.chdir(os.path.join(cwd, "sub"))  # expect: SLK301
    """,
    "monkeypatch_after_the_write_saves_the_changed_value": """
        import os

        def test_x(monkeypatch):
            os.environ["A"] = "1"  # expect: SLK301
            monkeypatch.setenv("A", "2")
    """,
    "only_the_patched_attribute_is_restored": """
        from unittest import mock
        import app

        @mock.patch.object(app, "A", 1)
        def test_x():
            app.A = 2
            app.B = 3  # expect: SLK301
    """,
    "write_before_the_raising_call": """
        import os
        import pytest

        def test_x():
            with pytest.raises(ValueError):
                os.environ["A"] = "1"  # expect: SLK301
                int("x")
    """,
}


@pytest.mark.parametrize("name", sorted(POSITIVES))
def test_flags(name: str, tmp_path: Path) -> None:
    check_marks(tmp_path, POSITIVES[name])


# --------------------------------------------------------------------------------------------
# negatives, one per idiom

NEGATIVES = {
    "monkeypatch": """
        import os, sys

        def test_x(monkeypatch, tmp_path):
            monkeypatch.setenv("A", "1")
            monkeypatch.delenv("B", raising=False)
            monkeypatch.syspath_prepend(str(tmp_path))
            monkeypatch.chdir(tmp_path)
            monkeypatch.setattr(sys, "argv", ["x"])
            monkeypatch.setitem(os.environ, "C", "1")
    """,
    "monkeypatch_context": """
        import os
        import pytest

        @pytest.fixture(scope="session")
        def env():
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("A", "1")
                yield
    """,
    "raw_write_after_monkeypatch_of_the_same_target": """
        import os, sys

        def test_x(monkeypatch, tmp_path):
            monkeypatch.setenv("A", "1")
            os.environ["A"] = "2"
            monkeypatch.chdir(tmp_path)
            os.chdir("/")
            monkeypatch.syspath_prepend("x")
            sys.path.append("y")
    """,
    "mock_patch_decorators": """
        import os, sys
        from unittest import mock
        from unittest.mock import patch

        @mock.patch.dict(os.environ, {"A": "1"})
        def test_a():
            os.environ["B"] = "2"

        @patch.dict("os.environ", clear=True)
        def test_b():
            os.environ.clear()

        @patch.object(sys, "argv", ["x"])
        def test_c():
            sys.argv.append("y")

        @mock.patch("os.chdir")
        def test_d(chdir):
            os.chdir("/")

        @mock.patch.dict(sys.modules)
        class TestE:
            def test_e(self):
                sys.modules["x"] = None
    """,
    "mock_patch_with_blocks": """
        import os, sys
        from unittest import mock

        def test_x(mocker):
            with mock.patch.dict(os.environ, {"A": "1"}):
                os.environ["B"] = "2"
            with mock.patch.object(sys, "path", []):
                sys.path.append("x")
            mocker.patch.dict(os.environ)
            os.environ["C"] = "3"
    """,
    "try_finally": """
        import os, sys

        def test_x(tmp_path):
            old = os.getcwd()
            os.chdir(tmp_path)
            try:
                sys.path.insert(0, "x")
                os.environ["A"] = "1"
            finally:
                os.chdir(old)
                sys.path.remove("x")
                del os.environ["A"]
    """,
    "set_then_delete_later": """
        import os

        def test_x():
            os.environ["A"] = "1"
            assert os.environ["A"] == "1"
            del os.environ["A"]
            os.environ["B"] = "1"
            os.environ.pop("B")
    """,
    "save_and_restore_without_finally": """
        import os, sys, locale

        def test_x(tmp_path):
            saved = dict(os.environ)
            old_argv = sys.argv
            old_path = sys.path[:]
            old_locale = locale.setlocale(locale.LC_ALL)
            os.environ["A"] = "1"
            sys.argv = ["x"]
            sys.path.insert(0, "y")
            locale.setlocale(locale.LC_ALL, "C")
            os.environ.clear()
            os.environ.update(saved)
            sys.argv = old_argv
            sys.path[:] = old_path
            locale.setlocale(locale.LC_ALL, old_locale)
    """,
    "yield_fixture_teardown": """
        import os, sys, logging
        import pytest
        import app

        @pytest.fixture
        def env():
            os.environ["A"] = "1"
            yield
            os.environ.pop("A")

        @pytest.fixture(scope="session")
        def cwd(tmp_path_factory):
            old = os.getcwd()
            os.chdir(tmp_path_factory.mktemp("x"))
            yield
            os.chdir(old)

        @pytest.fixture
        def flag():
            old = app.FLAG
            app.FLAG = True
            try:
                yield
            finally:
                app.FLAG = old

        @pytest.fixture
        def quiet():
            logging.disable(logging.CRITICAL)
            yield
            logging.disable(logging.NOTSET)
    """,
    "addfinalizer_and_addcleanup": """
        import os, sys, unittest
        import pytest
        import app

        @pytest.fixture
        def a(request, tmp_path):
            old = os.getcwd()
            os.chdir(tmp_path)
            request.addfinalizer(lambda: os.chdir(old))

        @pytest.fixture
        def b(request):
            sys.path.insert(0, "x")
            def undo():
                sys.path.remove("x")
            request.addfinalizer(undo)

        class TestC(unittest.TestCase):
            def test_c(self):
                self.addCleanup(setattr, app, "X", app.X)
                app.X = 2
                self.addCleanup(os.environ.pop, "A", None)
                os.environ["A"] = "1"
    """,
    "restoring_context_managers": """
        import contextlib, os, warnings, logging
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        def test_x(tmp_path, tmpdir, caplog):
            with contextlib.chdir(tmp_path):
                os.chdir("/")
            with tmpdir.as_cwd():
                os.chdir("/")
            with mpl.rc_context():
                mpl.rcParams["a"] = 1
                plt.style.use("ggplot")
            with plt.style.context("ggplot"):
                plt.rcParams["b"] = 1
            with caplog.at_level(logging.INFO, logger="app"):
                logging.getLogger("app").setLevel(logging.DEBUG)
    """,
    "local_objects_and_instances": """
        import os
        from app import Config

        class Thing:
            pass

        def test_x(settings):
            config = Config()
            config.debug = True
            thing = Thing()
            thing.x = 1
            settings.DEBUG = True  # a parameter (pytest-django's settings fixture), not the module

        class TestY:
            def test_y(self):
                self.x = 1
    """,
    "copies_of_environ": """
        import os

        def test_x():
            env = os.environ.copy()
            env["A"] = "1"
            env2 = dict(os.environ)
            env2.pop("PATH")
            path = list(__import__("sys").path)
            path.append("x")
    """,
    "main_guard": """
        import os, sys

        def helper():
            os.environ["HELPER"] = "1"

        def test_x():
            if __name__ == "__main__":
                os.environ["MAIN"] = "1"

        if __name__ == "__main__":
            os.chdir("/")
    """,
    "helpers_restore_too": """
        import os

        def _reset():
            del os.environ["A"]

        def test_x():
            os.environ["A"] = "1"
            _reset()
    """,
    "xunit_teardown": """
        import os

        def teardown_module(module):
            os.environ.pop("M", None)

        def test_m():
            os.environ["M"] = "1"

        class TestX:
            def teardown_method(self, method):
                os.chdir(self.old)

            def test_x(self, tmp_path):
                os.chdir(tmp_path)
    """,
    "autouse_restore_in_the_same_module": """
        import os
        import pytest

        @pytest.fixture(autouse=True)
        def clean_env():
            saved = os.environ.copy()
            yield
            os.environ.clear()
            os.environ.update(saved)

        def test_x():
            os.environ["A"] = "1"
    """,
    "pytester_restores_path_modules_cwd": """
        import os, sys

        def test_x(pytester):
            sys.path.insert(0, str(pytester.path))
            del sys.modules["json"]
            os.chdir(pytester.path)
    """,
    "forked": """
        import os
        import pytest

        @pytest.mark.forked
        def test_x():
            os.environ["A"] = "1"
    """,
    "session_autouse_configuration": """
        import os
        import pytest

        @pytest.fixture(scope="session", autouse=True)
        def no_urls():
            os.environ["NO_URLS"] = "1"
    """,
    "attribute_of_a_context_local_below_a_module": """
        # flask tests/test_appctx.py, test_basic.py: flask.g and flask.session are context-local
        # proxies, not process state; logging objects are left to the logger vocabulary
        import flask
        import logging

        def test_x():
            flask.g.foo = "bar"
            flask.session.modified = False
            setattr(flask.g, "x", 1)
            del flask.g.x
            logging.root.handlers = []
    """,
    "objects_the_test_created_or_got_from_a_fixture": """
        import logging
        import numpy as np
        import app.config as config

        def test_x(settings):
            settings.PORT = 1
            obj = config.Settings()
            obj.PORT = 2
            log = logging.Logger("private")
            log.setLevel(logging.DEBUG)
            log.addHandler(logging.NullHandler())
            with np.errstate(all="ignore"):
                np.seterr(all="raise")
    """,
    "setters_put_back": """
        import sys
        import decimal
        import signal
        import faulthandler
        import numpy as np

        def test_x():
            old = np.seterr(all="ignore")
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(50)
            prec = decimal.getcontext().prec
            decimal.getcontext().prec = 5
            handler = signal.signal(signal.SIGINT, lambda *a: None)
            faulthandler.enable()
            try:
                pass
            finally:
                np.seterr(**old)
                sys.setrecursionlimit(limit)
                decimal.getcontext().prec = prec
                signal.signal(signal.SIGINT, handler)
                faulthandler.disable()

        def test_context():
            with decimal.localcontext() as ctx:
                ctx.prec = 5
    """,
    "flask_reset_logging": """
        # flask tests/test_logging.py
        import logging
        import pytest

        @pytest.fixture(autouse=True)
        def reset_logging(pytestconfig):
            root_handlers = logging.root.handlers[:]
            logging.root.handlers = []
            yield
            logging.root.handlers[:] = root_handlers
    """,
    "slice_assignment_after_yield_restores": """
        import pytest
        import mod

        @pytest.fixture
        def handlers():
            saved = mod.handlers[:]
            mod.handlers = []
            yield
            mod.handlers[:] = saved

        def test_finally():
            saved = mod.handlers[:]
            mod.handlers = []
            try:
                pass
            finally:
                mod.handlers[:] = saved

        @pytest.fixture
        def item():
            mod.table = {}
            yield
            mod.table["key"] = None
    """,
    "reassigned_back_in_the_same_test": """
        # attrs tests/test_config.py: set, check, set back to the default
        import pytest
        from attr import _config

        class TestConfig:
            def test_get_run_validators(self):
                _config._run_validators = False
                assert _config._run_validators is _config.get_run_validators()
                _config._run_validators = True
                assert _config._run_validators is _config.get_run_validators()

        def test_setattr_back():
            setattr(_config, "flag", 1)
            setattr(_config, "flag", 0)

        @pytest.fixture
        def fixture_sets_twice():
            _config.mode = "fast"
            _config.mode = "slow"
            yield
    """,
    "the_write_that_should_raise": """
        import pytest
        import pandas as pd

        def test_x():
            with pytest.raises(ValueError):
                pd.options.mode.string_storage = "foo"
    """,
    "streams_restored_by_capture": """
        import io, sys

        def test_x():
            sys.stdout = io.StringIO()
            setattr(sys, "stderr", io.StringIO())
    """,
    "ctypes_prototypes": """
        import ctypes as ct

        def test_x():
            ct.pythonapi.PyCapsule_GetPointer.restype = ct.c_void_p
            ct.pythonapi.PyCapsule_GetPointer.argtypes = [ct.py_object]
    """,
    "snapshot_restore_and_undo": """
        import sys
        from _pytest.pytester import SysModulesSnapshot

        def test_x():
            snapshot = SysModulesSnapshot()
            sys.modules["x"] = None
            snapshot.restore()
    """,
    "contextmanager_helpers_of_the_module": """
        import contextlib
        import matplotlib as mpl
        import pandas as pd
        import pytest

        @contextlib.contextmanager
        def mpl_cleanup():
            with mpl.rc_context():
                yield

        @contextlib.contextmanager
        def ensure_removed(obj, attr):
            try:
                yield
            finally:
                delattr(obj, attr)

        @pytest.fixture
        def clean():
            with mpl_cleanup():
                yield

        def test_x(clean):
            mpl.rcParams["a"] = 1

        def test_y():
            with ensure_removed(pd.Series, "fake"):
                setattr(pd.Series, "fake", 123)
    """,
    "put_back_a_value_saved_at_import": """
        import locale
        import pytest

        _AT_IMPORT = locale.setlocale(locale.LC_ALL)

        @pytest.fixture(scope="session")
        def restore_locale():
            locale.setlocale(locale.LC_ALL, _AT_IMPORT)
    """,
    "warnings_filters_are_restored_by_pytest": """
        import warnings

        def test_x():
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
    """,
    "django_override_settings": """
        from django.conf import settings
        from django.test import override_settings

        @override_settings(DEBUG=False)
        def test_a():
            settings.DEBUG = True

        def test_b():
            with override_settings(DEBUG=False):
                settings.DEBUG = True
    """,
    "global_read_only_by_its_writer": """
        _SEEN = None

        def test_x():
            global _SEEN
            if _SEEN is None:
                _SEEN = 1
    """,
    "getters_are_no_writes": """
        import locale, os, sys

        def test_x():
            locale.setlocale(locale.LC_ALL)
            os.environ.get("A")
            x = sys.path[0]
            os.getcwd()
    """,
    "dynamic_scope_is_not_skipped_but_unknown_helpers_are": """
        import os

        def not_a_test():
            os.environ["A"] = "1"

        class Helper:
            def test_like(self):
                os.environ["B"] = "1"

            def __init__(self):
                pass
    """,
}


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_silent(name: str, tmp_path: Path) -> None:
    root = write_project(tmp_path, {"test_mod.py": NEGATIVES[name]})
    assert [(d.line, d.message) for d in slk301(root)] == []


# --------------------------------------------------------------------------------------------
# across files


def test_conftest_autouse_fixture_restores(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "conftest.py": """
                import os
                import pytest

                @pytest.fixture(autouse=True)
                def clean_environ():
                    original = os.environ.copy()
                    yield
                    os.environ.clear()
                    os.environ.update(original)
            """,
            "sub/test_a.py": """
                import os

                def test_env():
                    os.environ.update({"HTTP_PROXY": "x"})

                def test_cwd(tmp_path):
                    os.chdir(tmp_path)
            """,
        },
    )
    assert found_lines(root) == [("sub/test_a.py", 7, "SLK301")]


def test_requested_fixture_chain_restores(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "conftest.py": """
                import os
                import pytest

                @pytest.fixture
                def restore_cwd():
                    old = os.getcwd()
                    yield
                    os.chdir(old)

                @pytest.fixture
                def workdir(restore_cwd, tmp_path):
                    return tmp_path

                @pytest.fixture(scope="session")
                def session_restore():
                    old = os.getcwd()
                    yield
                    os.chdir(old)
            """,
            "test_a.py": """
                import os
                import pytest

                def test_direct(workdir):
                    os.chdir(workdir)

                @pytest.mark.usefixtures("restore_cwd")
                def test_marked(tmp_path):
                    os.chdir(tmp_path)

                def test_session(session_restore, tmp_path):
                    os.chdir(tmp_path)
            """,
        },
    )
    # a session fixture restores only at the end of the session: every later test still sees the change
    assert found_lines(root) == [("test_a.py", 12, "SLK301")]


def test_fixture_using_monkeypatch_restores_what_tests_write_later(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "conftest.py": """
                import pytest

                @pytest.fixture
                def env(monkeypatch):
                    monkeypatch.setenv("APP_MODE", "test")
            """,
            "test_a.py": """
                import os

                def test_env(env):
                    os.environ["APP_MODE"] = "other"
                    os.environ["OTHER"] = "1"
            """,
        },
    )
    assert found_lines(root) == [("test_a.py", 5, "SLK301")]


# --------------------------------------------------------------------------------------------
# messages


def test_messages(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "test_a.py": """
                import os, sys
                import pytest
                import app.settings as settings

                def test_flag():
                    os.environ["FEATURE_X"] = "1"
                    sys.path.insert(0, "x")
                    os.chdir("/")
                    settings.DEBUG = True

                @pytest.fixture(scope="module")
                def env():
                    os.environ["MODE"] = "x"
                    yield
            """
        },
    )
    messages = [(d.message, d.fix_title) for d in slk301(root)]
    assert messages == [
        ("test 'test_flag' sets environment variable 'FEATURE_X' and never restores it",
         'use monkeypatch.setenv("FEATURE_X", ...)'),
        ("test 'test_flag' changes sys.path and never restores it", "use monkeypatch.syspath_prepend(...)"),
        ("test 'test_flag' changes the working directory and never restores it", "use monkeypatch.chdir(...)"),
        ("test 'test_flag' sets module attribute 'settings.DEBUG' and never restores it",
         'use monkeypatch.setattr(settings, "DEBUG", ...)'),
        ("fixture 'env' (module-scoped) sets environment variable 'MODE' and never restores it",
         'use mp.setenv("MODE", ...) inside `with pytest.MonkeyPatch.context() as mp:` around the yield'),
    ]  # fmt: skip
    for message, help_ in messages:
        assert "\n" not in message + help_ and not message.endswith(".") and not help_.endswith(".")


def test_reported_at_the_write(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"test_a.py": 'import os\n\n\ndef test_x():\n    x = 1; os.environ.pop("A")\n'})
    [diag] = slk301(root)
    assert (diag.line, diag.col, diag.end_line, diag.end_col) == (5, 12, 5, 31)


# --------------------------------------------------------------------------------------------
# fixes


def test_fix_rewrites_to_monkeypatch(tmp_path: Path) -> None:
    before = """
        import os
        import sys
        import json as js
        import matplotlib.pyplot as plt


        def test_all(tmp_path):
            # set things up
            os.environ["A"] = "1"  # keep me
            del os.environ["B"]
            os.environ.pop("C")
            os.environ.pop("D", None)
            sys.path.insert(0, str(tmp_path))
            sys.modules["fake"] = None
            del sys.modules["gone"]
            sys.modules.pop("maybe", None)
            sys.argv = ["prog"]
            os.chdir(tmp_path)
            js.VALUE = 1
            del js.OTHER
            setattr(js, "X", 2)
            delattr(js, "Y")
            plt.rcParams["lines.linewidth"] = 2
            x = 1; os.environ["E"] = "e"
    """
    after = fix(tmp_path, {"test_a.py": before})["test_a.py"]
    assert after == textwrap.dedent(
        """\
        import os
        import sys
        import json as js
        import matplotlib.pyplot as plt


        def test_all(tmp_path, monkeypatch):
            # set things up
            monkeypatch.setenv("A", "1")  # keep me
            monkeypatch.delenv("B")
            monkeypatch.delenv("C")
            monkeypatch.delenv("D", raising=False)
            monkeypatch.syspath_prepend(str(tmp_path))
            monkeypatch.setitem(sys.modules, "fake", None)
            monkeypatch.delitem(sys.modules, "gone")
            monkeypatch.delitem(sys.modules, "maybe", raising=False)
            monkeypatch.setattr(sys, "argv", ["prog"])
            monkeypatch.chdir(tmp_path)
            monkeypatch.setattr(js, "VALUE", 1, raising=False)
            monkeypatch.delattr(js, "OTHER")
            monkeypatch.setattr(js, "X", 2, raising=False)
            monkeypatch.delattr(js, "Y")
            monkeypatch.setitem(plt.rcParams, "lines.linewidth", 2)
            x = 1; monkeypatch.setenv("E", "e")
        """
    )


def test_fix_keeps_plain_setattr_for_attributes_the_project_defines(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/settings.py": "DEBUG = False\n\nclass Config:\n    mode = 'a'\n",
        "test_a.py": """
            import app.settings as settings
            from app.settings import Config


            def test_x():
                settings.DEBUG = True
                settings.NEW = 1
                Config.mode = "b"
        """,
    }
    after = fix(tmp_path, files)["test_a.py"]
    assert 'monkeypatch.setattr(settings, "DEBUG", True)\n' in after
    assert 'monkeypatch.setattr(settings, "NEW", 1, raising=False)\n' in after
    assert 'monkeypatch.setattr(Config, "mode", "b")\n' in after


def test_fix_reuses_parameter_and_respects_signatures(tmp_path: Path) -> None:
    before = """
        import os
        import pytest


        def test_has(monkeypatch):
            os.environ["A"] = "1"


        class TestC:
            def test_method(self):
                os.environ["A"] = "1"


        @pytest.mark.parametrize("value", [1, 2])
        def test_param(value, extra=3):
            os.environ["A"] = str(value)


        def test_multiline(
            tmp_path,
        ):
            os.chdir(tmp_path)


        @pytest.fixture
        def fixture_fn(request):
            os.environ["A"] = "1"
            yield
    """
    after = fix(tmp_path, {"test_a.py": before})["test_a.py"]
    assert "def test_has(monkeypatch):\n" in after
    assert "def test_method(self, monkeypatch):\n" in after
    assert "def test_param(value, monkeypatch, extra=3):\n" in after
    assert "def test_multiline(\n    tmp_path,\n    monkeypatch,\n):\n" in after
    assert "def fixture_fn(request, monkeypatch):\n" in after
    assert "os.environ" not in after.replace("import os", "")


def test_fix_in_blocks_decorated_nested_and_async(tmp_path: Path) -> None:
    before = """
        import os
        from unittest import mock


        @mock.patch("os.getpid")
        def test_decorated(getpid, tmp_path):
            for name in ("A", "B"):
                if name:
                    os.environ[name] = "1"  # in a loop
            with open(tmp_path / "f", "w"):
                os.chdir(tmp_path)


        class TestOuter:
            class TestInner:
                async def test_async(self, *args):
                    os.environ["C"] = "1"


        def test_kwonly(*, tmp_path):
            os.chdir(tmp_path)
    """
    after = fix(tmp_path, {"test_a.py": before})["test_a.py"]
    assert "def test_decorated(getpid, tmp_path, monkeypatch):\n" in after
    assert '            monkeypatch.setenv(name, "1")  # in a loop\n' in after
    assert "        monkeypatch.chdir(tmp_path)\n" in after
    assert "async def test_async(self, monkeypatch, *args):\n" in after
    assert "def test_kwonly(monkeypatch, *, tmp_path):\n" in after
    assert "os.environ[" not in after and "os.chdir" not in after


def test_broad_fix_reuses_an_existing_monkeypatch_context(tmp_path: Path) -> None:
    before = """
        import os
        import pytest


        @pytest.fixture(scope="module")
        def env():
            with pytest.MonkeyPatch.context() as monkeypatch:
                monkeypatch.setenv("A", "1")
                os.environ["B"] = "2"
                yield
    """
    after = fix(tmp_path, {"conftest.py": before}, unsafe=True)["conftest.py"]
    assert after.count("MonkeyPatch.context()") == 1
    assert 'monkeypatch.setenv("B", "2")' in after


def test_async_broad_fixture(tmp_path: Path) -> None:
    before = """
        import os
        import pytest_asyncio


        @pytest_asyncio.fixture(scope="session")
        async def env():
            os.environ["A"] = "1"
            yield
    """
    after = fix(tmp_path, {"conftest.py": before}, unsafe=True)["conftest.py"]
    assert after == textwrap.dedent(
        """\
        import pytest
        import os
        import pytest_asyncio


        @pytest_asyncio.fixture(scope="session")
        async def env():
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("A", "1")
                yield
        """
    )


def test_no_safe_fix_where_monkeypatch_cannot_be_injected(tmp_path: Path) -> None:
    before = """
        import os
        import unittest
        from hypothesis import given, strategies as st


        class TestCase(unittest.TestCase):
            def test_x(self):
                os.environ["A"] = "1"


        @given(st.integers())
        def test_h(n):
            os.environ["A"] = str(n)


        def test_local():
            monkeypatch = None
            os.environ["A"] = "1"


        def test_no_equivalent():
            os.umask(0o22)
            os.environ.update({"A": "1"})
            x = os.environ.pop("A")
            os.environ["A"] = os.environ["B"] = "1"
    """
    root = write_project(tmp_path, {"test_a.py": before})
    diags = slk301(root)
    assert len(diags) == 8
    # the unittest method gets no monkeypatch fix: its fix registers the undo with self.addCleanup
    assert all(d.fix is None for d in diags if d.owner != "TestCase.test_x")
    [in_unittest] = [d for d in diags if d.owner == "TestCase.test_x"]
    assert in_unittest.fix is not None and [op.kind for op in in_unittest.fix.ops] == ["slk301-add-cleanup"]


def test_sys_path_append_fix_is_unsafe(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"test_a.py": "import sys\n\n\ndef test_x():\n    sys.path.append('x')\n"})
    [diag] = slk301(root)
    assert diag.fix is not None and diag.fix.applicability == "unsafe"
    assert fix(tmp_path, {"test_a.py": "import sys\n\n\ndef test_x():\n    sys.path.append('x')\n"})[
        "test_a.py"
    ].endswith("def test_x():\n    sys.path.append('x')\n")
    after = fix(tmp_path, {"test_a.py": "import sys\n\n\ndef test_x():\n    sys.path.append('x')\n"}, unsafe=True)
    assert after["test_a.py"].endswith("def test_x(monkeypatch):\n    monkeypatch.syspath_prepend('x')\n")


def test_repeated_statements_are_all_fixed(tmp_path: Path) -> None:
    before = "import os\n\n\ndef test_x(a, b):\n    os.chdir(a)\n    os.chdir(b)\n    os.chdir(a)\n"
    after = fix(tmp_path, {"test_a.py": before})["test_a.py"]
    assert after.count("monkeypatch.chdir") == 3 and "os.chdir" not in after


def test_broad_fixture_unsafe_fix(tmp_path: Path) -> None:
    before = '''
        import os
        import sys

        import pytest


        @pytest.fixture(scope="session")
        def offline():
            """No network."""
            # set the variables
            os.environ["NO_NETWORK"] = "1"  # for requests
            sys.path.insert(0, "plugins")
            os.umask(0o022)
            yield
            print("done")


        @pytest.fixture(scope="module")
        def workdir(tmp_path_factory):
            path = tmp_path_factory.mktemp("w")
            os.chdir(path)
            return path


        @pytest.fixture(scope="class")
        def setup_only():
            os.environ["A"] = "1"


        @pytest.fixture(scope="module")
        def early(tmp_path_factory):
            if os.name == "nt":
                return None
            os.chdir("/")
            return 1
    '''
    root = write_project(tmp_path, {"conftest.py": before})
    safe = {(d.line, d.fix.applicability if d.fix else None) for d in slk301(root)}
    assert safe == {(11, "unsafe"), (12, "unsafe"), (13, None), (21, "unsafe"), (27, "unsafe"), (34, None)}
    after = fix(tmp_path / "u", {"conftest.py": before}, unsafe=True)["conftest.py"]
    assert after == textwrap.dedent(
        '''\
        import os
        import sys

        import pytest


        @pytest.fixture(scope="session")
        def offline():
            """No network."""
            # set the variables
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("NO_NETWORK", "1")  # for requests
                mp.syspath_prepend("plugins")
                os.umask(0o022)
                yield
                print("done")


        @pytest.fixture(scope="module")
        def workdir(tmp_path_factory):
            with pytest.MonkeyPatch.context() as mp:
                path = tmp_path_factory.mktemp("w")
                mp.chdir(path)
                yield path


        @pytest.fixture(scope="class")
        def setup_only():
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("A", "1")
                yield


        @pytest.fixture(scope="module")
        def early(tmp_path_factory):
            if os.name == "nt":
                return None
            os.chdir("/")
            return 1
        '''
    )


def test_broad_fix_adds_import_and_avoids_name_clash(tmp_path: Path) -> None:
    before = """
        import os
        from pytest import fixture


        @fixture(scope="session")
        def env():
            mp = "taken"
            os.environ["A"] = mp
            yield
    """
    after = fix(tmp_path, {"conftest.py": before}, unsafe=True)["conftest.py"]
    assert after.startswith("import pytest\nimport os\n")
    assert "with pytest.MonkeyPatch.context() as mpatch:\n" in after
    assert 'mpatch.setenv("A", mp)' in after


def test_fix_leaves_no_monkeypatch_for_broad_or_unknown_scopes(tmp_path: Path) -> None:
    before = """
        import os
        import pytest


        def pick(fixture_name, config):
            return "session"


        @pytest.fixture(scope=pick)
        def dynamic():
            os.environ["A"] = "1"
            yield
    """
    root = write_project(tmp_path, {"conftest.py": before})
    [diag] = slk301(root)
    assert diag.fix is None and "fixture 'dynamic' sets" in diag.message


# --------------------------------------------------------------------------------------------
# configuration


def test_extra_global_targets(tmp_path: Path) -> None:
    source = """
        import warnings
        import pytest
        from myapp import registry, config

        def test_x():
            registry.REGISTRY["a"] = 1  # expect: SLK301
            registry.REGISTRY.append(2)  # expect: SLK301
            config.set_mode("fast")  # expect: SLK301
            registry.CONFIG.debug = True  # expect: SLK301
            setattr(registry.CONFIG, "verbose", True)  # expect: SLK301
            registry.other.debug = True  # expect: SLK301 (an object kept by an imported module)
            warnings.simplefilter("error")  # expect: SLK301
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
            with pytest.warns(UserWarning):
                warnings.simplefilter("always")
    """
    root = write_project(tmp_path, {"test_mod.py": source})
    settings = Settings(
        root=str(root),
        select=("SLK301",),
        extra_global_targets=("myapp.registry.REGISTRY", "myapp.config.set_mode", "myapp.registry.CONFIG", "warnings"),
    )
    marks = [m for m in expected(root) if m[2] == "SLK301"]
    assert found_lines(root, settings) == marks


def test_noqa(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"test_a.py": 'import os\n\n\ndef test_x():\n    os.environ["A"] = "1"  # noqa: SLK301\n'})
    assert slk301(root) == []


def test_syntax_it_cannot_follow_is_not_a_crash(tmp_path: Path) -> None:
    source = """
        import os, sys

        def test_x(*args, **kwargs):
            (a, b), c = 1, 2, 3 if False else ((1, 2), 3)
            [os.environ.pop(k) for k in ("A",)]  # expect: SLK301
            sys.path[0:0] = ["x"]  # expect: SLK301
            match kwargs:
                case {"x": 1}:
                    os.chdir("/")  # expect: SLK301
                case _:
                    pass
            async def inner():
                os.environ["Z"] = "1"
    """
    check_marks(tmp_path, source)


# --------------------------------------------------------------------------------------------
# the rule's own documentation examples


@pytest.mark.parametrize("index", range(len(RULE.valid)))
def test_valid_examples(index: int, tmp_path: Path) -> None:
    root = write_project(tmp_path, {"test_example.py": RULE.valid[index]})
    assert slk301(root) == []


@pytest.mark.parametrize("index", range(len(RULE.invalid)))
def test_invalid_examples(index: int, tmp_path: Path) -> None:
    example = RULE.invalid[index]
    root = write_project(tmp_path, {"test_example.py": example.source, **example.files})
    assert slk301(root)
    flags = ["--fix", "--exit-non-zero-on-fix", "--no-cache", "--isolated", "-q"] + (["--unsafe-fixes"] if example.unsafe else [])
    main([*flags, str(root)])
    result = (root / "test_example.py").read_text()
    assert result == (example.fixed if example.fixed is not None else example.source)


def test_docs_render() -> None:
    docs = RULE.docs()
    assert docs.startswith("# SLK301 global-state-not-restored\n")
    for section in (
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
        "## Options",
    ):
        assert section in docs


def test_settings_are_frozen_for_cache_keys() -> None:
    settings = Settings(extra_global_targets=("a.b",))
    assert replace(settings, extra_global_targets=("a.c",)).digest() != settings.digest()


# --------------------------------------------------------------------------------------------
# restores made by a helper of another first-party module (one call followed)

HELPERS = {
    "app/__init__.py": "",
    "app/state.py": """
        import os

        MODE = "prod"


        def reset():
            global MODE
            MODE = "prod"


        def clean_env():
            os.environ.pop("APP_TOKEN", None)
    """,
}


def test_helper_in_unittest_teardown_and_cleanup(tmp_path: Path) -> None:
    check_marks(tmp_path, """
        import os
        import unittest

        from app import state


        class TestMode(unittest.TestCase):
            def tearDown(self):
                state.reset()

            def test_debug(self):
                state.MODE = "debug"


        class TestToken(unittest.TestCase):
            def setUp(self):
                self.addCleanup(state.clean_env)

            def test_token(self):
                os.environ["APP_TOKEN"] = "x"

            def test_mode(self):
                state.MODE = "debug"  # expect: SLK301
    """, HELPERS)


def test_helper_after_yield_in_a_conftest_fixture(tmp_path: Path) -> None:
    files = {
        **HELPERS,
        "conftest.py": """
            import pytest

            from app.state import reset


            @pytest.fixture
            def restore_mode():
                yield
                reset()
        """,
    }
    check_marks(tmp_path, """
        from app import state


        def test_uses_fixture(restore_mode):
            state.MODE = "debug"


        def test_without_fixture():
            state.MODE = "debug"  # expect: SLK301
    """, files)


def test_relative_helper_and_plain_call_after_asserts(tmp_path: Path) -> None:
    files = {
        "tests/__init__.py": "",
        "tests/helpers.py": HELPERS["app/state.py"],
        "tests/test_mod.py": """
            import os

            from . import helpers


            def test_finally():
                os.environ["APP_TOKEN"] = "x"
                try:
                    assert os.environ["APP_TOKEN"]
                finally:
                    helpers.clean_env()


            def test_plain():
                os.environ["APP_TOKEN"] = "x"  # expect: SLK301
                assert os.environ["APP_TOKEN"]
                helpers.clean_env()
        """,
    }
    root = write_project(tmp_path, files)
    assert found_lines(root) == [m for m in expected(root) if m[2] == "SLK301"]


def test_helper_summaries_are_cached(tmp_path: Path) -> None:
    """A second run reads the helper's summary from the cache and settles the same way."""
    root = write_project(tmp_path, {**HELPERS, "test_mod.py": """
        from app import state


        def test_restored():
            state.MODE = "debug"
            try:
                assert state.MODE == "debug"
            finally:
                state.reset()


        def test_leaks():
            state.MODE = "debug"
    """})
    settings = Settings(root=str(root), select=("SLK301",))
    runs = []
    for _ in range(2):
        result = lint(root, settings, cache_dir=str(tmp_path / "cache"))
        runs.append([(d.path, d.line) for d in result.diagnostics if d.code == "SLK301"])
    assert list((tmp_path / "cache").iterdir()), "the first run wrote the cache"
    assert runs[0] == runs[1] and [line for _, line in runs[0]] == [13]


def test_exec_with_unknown_source_counts_as_assigning(tmp_path: Path) -> None:
    check_marks(tmp_path, """
        SOURCE = "flag = 2"
        flag = 0


        def test_writer():
            global flag
            flag = 1


        def test_exec_reader():
            exec(SOURCE, globals())
            assert flag == 2


        def test_exec_other_name():
            global other
            other = 1  # expect: SLK301


        def test_exec_binds_something_else():
            exec("unrelated = 1", globals())
            assert other == 1
    """)


def test_relative_module_helper_and_naming(tmp_path: Path) -> None:
    """``from . import config``: the helper's global is the attribute the test writes; kinds resolve too."""
    files = {
        "tests/__init__.py": "",
        "tests/config.py": """
            import threading

            MODE = "prod"
            _local = threading.local()


            def reset():
                global MODE
                MODE = "prod"
        """,
        "tests/test_mod.py": """
            from . import config


            def test_restored():
                config.MODE = "debug"
                try:
                    assert config.MODE == "debug"
                finally:
                    config.reset()


            def test_local():
                config._local.user = "bob"  # expect: SLK301
        """,
    }
    root = write_project(tmp_path, files)
    found = slk301(root)
    assert [(Path(d.path).name, d.line) for d in found] == [("test_mod.py", 13)]
    assert "attribute 'user' of threading.local 'config._local'" in found[0].message


def test_helper_in_xunit_module_teardown(tmp_path: Path) -> None:
    check_marks(tmp_path, """
        from app import state


        def teardown_function(function):
            state.reset()


        def test_debug():
            state.MODE = "debug"


        def test_token():
            import os

            os.environ["APP_TOKEN"] = "x"  # expect: SLK301
    """, HELPERS)


def test_the_scan_alone_returns_the_events_of_one_function() -> None:
    from sessionlint.extract import build_context
    from sessionlint.rules.global_state.names import _FileNames
    from sessionlint.rules.global_state.scan import scan_events

    source = textwrap.dedent(
        """\
        import os, sys

        def test_env(monkeypatch):
            os.environ["A"] = "1"
            monkeypatch.setenv("B", "2")
            old = sys.path[:]
            try:
                sys.path.append("x")
            finally:
                sys.path[:] = old
        """
    )
    ctx = build_context("/p/test_env.py", source, Settings())
    assert ctx is not None
    events = scan_events(_FileNames(ctx), ctx.functions[0].node)
    summary = [(e.pos[0], e.write, e.in_finally, e.restoring) for e in events]
    assert summary == [(4, True, False, False), (5, False, False, True), (8, True, False, False), (10, True, True, True)]
    assert events[0].target != events[1].target and events[2].target == events[3].target  # sys.path, both


# restores seen in application suites (flask, hatch, jupyter_core) ----------------------------------
_HANDLERS = '''
import logging
import pytest


@pytest.fixture(autouse=True)
def reset_logging():
    saved = logging.root.handlers[:]
    yield
    {restore}


def test_handler():
    logging.root.addHandler(logging.StreamHandler())
'''


@pytest.mark.parametrize(
    ("restore", "reported"),
    [("logging.root.handlers[:] = saved", False), ("logging.root.handlers = saved", False), ("pass", True)],
)
def test_logger_handlers_set_back_after_yield(tmp_path: Path, restore: str, reported: bool) -> None:
    root = write_project(tmp_path, {"test_mod.py": _HANDLERS.format(restore=restore)})
    assert bool(slk301(root)) is reported


@pytest.mark.parametrize(("context", "reported"), [("EnvVars()", False), ("env_vars()", False), ("Vars()", True)])
def test_capwords_environment_context(tmp_path: Path, context: str, reported: bool) -> None:
    source = f"import os\nfrom app import EnvVars, Vars, env_vars\n\n\ndef test_t():\n    with {context}:\n        os.environ.clear()\n"
    assert bool(slk301(write_project(tmp_path, {"test_mod.py": source}))) is reported


@pytest.mark.parametrize(
    ("teardown", "reported"), [("resetenv.stop()", False), ("other.stop()", True), ("pass", True)]
)
def test_module_patcher_stopped_in_teardown_function(tmp_path: Path, teardown: str, reported: bool) -> None:
    source = (
        "import os\nfrom unittest import mock\n\nresetenv = mock.patch.dict(os.environ)\nother = object()\n\n\n"
        "def setup_function():\n    resetenv.start()\n\n\n"
        f"def teardown_function():\n    {teardown}\n\n\n"
        "def test_t():\n    os.environ['APP_MODE'] = 'x'\n"
    )
    assert bool(slk301(write_project(tmp_path, {"test_mod.py": source}))) is reported


@pytest.mark.parametrize(
    ("after", "reported"),
    [
        ("importlib.import_module('app.mod')", False),
        ("importlib.import_module(name)", False),
        ("__import__('app.mod')", False),
        ("importlib.import_module('app.other')", True),
        ("runpy.run_module('app.mod')", True),
    ],
)
def test_deleted_module_imported_again(tmp_path: Path, after: str, reported: bool) -> None:
    """fastapi: ``del sys.modules[name]`` then ``importlib.import_module(name)`` imports it afresh."""
    source = (
        "import importlib\nimport runpy\nimport sys\n\n\ndef test_t():\n    name = 'app.mod'\n"
        f"    sys.modules.pop('app.mod', None)\n    {after}\n"
    )
    assert bool(slk301(write_project(tmp_path, {"test_mod.py": source}))) is reported
