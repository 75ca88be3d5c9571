"""SLK301: a test or fixture writes process-global state and nothing restores it.

Per file, every test and fixture is scanned once (stdlib ``ast``): each write
to global state becomes an event with a *target* ``(family, key)`` —
``("env", "FEATURE_X")``, ``("cwd", None)``, ``("attr", "app.settings.DEBUG")``
— and restorations are events too: a later write that puts a saved value
back, a write after ``yield`` or in ``finally``, a write in a nested function
or cleanup callback, a ``monkeypatch``/``mock.patch`` call before the write,
a ``with`` block that restores (``mock.patch.dict``, ``contextlib.chdir``,
``matplotlib.rc_context``...), a patch decorator, an xunit teardown method.
Writes nothing restores locally are kept in the file's facts; the project
step drops those that a fixture the test uses (requested, ``usefixtures``,
``autouse``, across files) restores in its teardown, and reports the rest.
"""

from __future__ import annotations

import ast
import os
import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Iterator

from sessionlint import collection
from sessionlint.context import FileContext, Function, FunctionNode, dotted_parts
from sessionlint.index import Project
from sessionlint.model import BROAD_SCOPES, Diagnostic, Fix, FixOp
from sessionlint.rules.base import Example, Rule
from sessionlint.sources import parse

CODE = "SLK301"

RULES = [
    Rule(
        code=CODE,
        name="global-state-not-restored",
        summary="a test or fixture changes process-global state and nothing restores it",
        fix="sometimes",
        what="""
Flags a write to process-global state in a test or a fixture that nothing undoes:

- environment variables: `os.environ[...] = ...`, `del os.environ[...]`, `os.environ.update/pop/
  setdefault/clear/popitem(...)`, rebinding `os.environ`, `os.putenv`, `os.unsetenv`;
- `sys.path`, `sys.modules`, `sys.argv`: item assignment or deletion, `append/insert/extend/remove/
  pop/clear/...`, augmented assignment, rebinding (`sys.argv = [...]`);
- the working directory (`os.chdir`, `os.fchdir`) and the umask (`os.umask`);
- a module global rebound by a function that declares `global X`, when another function of the module
  reads it (a global only its writer reads is a cache of that test, not shared state);
- attributes of imported modules and classes: `settings.DEBUG = True` where `settings` is bound by an
  `import` (or `pytest.importorskip`), `MyClass.attr = 1` where `MyClass` is imported, `del mod.X`,
  `setattr(mod, "X", ...)`, `delattr(mod, "X")`; an attribute of an object below the import
  (`flask.g.foo = 1`, `logging.root.handlers = []`, `mpmath.mp.prec = 50`) only when that object is
  itself a module bound by `import a.b`, or the name is a known global target (`plt.rcParams`) or
  listed in `extra-global-targets`;
- matplotlib's rcParams: `matplotlib.rcParams[...] = ...`, `plt.rcParams[...]`, `mpl.rcParams.update(...)`,
  `matplotlib.rc(...)`, `plt.style.use(...)`;
- `locale.setlocale(category, value)`, `socket.setdefaulttimeout(...)`, `logging.disable(...)`, and
  `setLevel(...)` on `logging.getLogger(...)`, `logging.root` or a name bound to either;
- every dotted name listed in `extra-global-targets`: assignment to it or below it, item assignment,
  mutating container methods, and calls of it when it names a function.

A write counts as restored, and is not flagged, when:

- it goes through `monkeypatch` (including `pytest.MonkeyPatch.context()`), or `mock.patch` /
  `mock.patch.object` / `mock.patch.dict` / pytest-mock's `mocker.patch` — as a decorator of the test
  or fixture (or its class), as a `with` block around the write, or as a call before the write;
- it happens inside a `with` block that restores that state: `mock.patch.dict(os.environ)`,
  `contextlib.chdir(...)`, `path.as_cwd()`, `matplotlib.rc_context()`, `plt.style.context()`,
  `caplog.at_level(...)`, `test.support`'s `swap_attr`/`swap_item`, a context manager whose name says
  it restores the working directory or the environment (`change_cwd`, `temp_cwd`, `modified_environ`,
  `EnvironmentVarGuard`), Django's `override_settings` (also as a decorator), a `@contextmanager` function of the same module that restores it after its
  `yield` (also `delattr(obj, name)` on the object passed in), or `stack.enter_context(...)` of any
  of these;
- it is the last statement of a `pytest.raises(...)` / `self.assertRaises(...)` block: the write is
  what is expected to fail;
- the same target is written again later: after `yield`, in a `finally` block, in a nested function
  or lambda (an `addfinalizer`/`addCleanup` callback), by a cleanup registration
  (`request.addfinalizer(os.chdir, old)`, `self.addCleanup(setattr, mod, "X", old)`), by a helper
  function of the same module called from the test, or by a later statement that puts a value back: a
  deletion (`del os.environ["X"]`, `os.environ.pop("X")`, `sys.path.remove(p)`), a value saved before
  (`os.chdir(old)` after `old = os.getcwd()`, `os.environ.update(saved)`), or a reset
  (`matplotlib.rcdefaults()`, `importlib.reload(mod)`, `logging.disable(logging.NOTSET)`);
- an item or slice of the same target is assigned after `yield` or in a `finally` block
  (`mod.handlers[:] = saved`);
- the same attribute or module global is assigned again later in the same body (`mod.FLAG = False` ...
  `mod.FLAG = True`): the last assignment is taken as putting the value back, and none of them is
  flagged (not so for items: `os.environ["A"] = "1"` then `= "2"` is still flagged);
- an xunit teardown of the class, of a base class in the same module, or of the module
  (`teardown_method`, `tearDown`, `teardown_module`, ...) writes the same target, or `setUp` /
  `setup_method` registers its undo (`self.addCleanup(...)`, `enter_context(...)`);
- a fixture the test or fixture uses — requested, through `usefixtures`, or `autouse` in its class,
  module, a `conftest.py` or a plugin — restores it in its teardown, or it requests `pytester`/`testdir`
  (which restore `sys.path`, `sys.modules` and the working directory);
- the test is marked `pytest.mark.forked` (it runs in a child process);
- a later call undoes whatever some object recorded: `snapshot.restore()`, `patcher.undo()`.

A write that only puts a value back is never flagged: a value saved before (also at import time, as in
`_LOCALE = locale.setlocale(locale.LC_ALL)` at module level), or a reset to the default
(`logging.disable(logging.NOTSET)`, `socket.setdefaulttimeout(None)`, `locale.setlocale(c, "")`).
Session-scoped `autouse` fixtures are not flagged: they configure the whole session on purpose, and
every test they apply to sees the same state.

One diagnostic per write, at the write. Module-level code, helpers that are neither tests nor
fixtures, and code under `if __name__ == "__main__":` are not checked.

Not flagged: attribute assignment on local objects and instances (`self.x = ...`, `obj.x = ...` where
`obj` is a parameter or local variable), edits of a copy (`env = os.environ.copy()`), `sys.stdout`,
`sys.stderr` and `sys.stdin` (pytest's capture puts them back after every test, unless run with `-s`),
ctypes prototypes (`func.restype`, `func.argtypes`), warnings filters (see Options), the global random
state (`random.seed`, `np.random.seed`), `np.set_printoptions`, `pd.set_option` (add them to
`extra-global-targets`), signal handlers, logging handlers.

Limits: the analysis reads one function at a time, in source order, without following calls (except
helpers of the same module, whose writes count as restorations). When in doubt it stays silent: a
helper that restores anything, a restoring context manager it cannot see into, a lambda that writes
the same target, a second assignment of the same target (even in another branch of an `if`), an
attribute of an object reached through a module (`pd.options.mode.x = 1`: use `pd.set_option` and
`extra-global-targets`). Writes spread over several statements on one line after a `;` or a `:` are seen, but
a function whose only write is such an attribute assignment may be skipped by the fast pre-check.
""",
        why="""
Process-global state outlives the test that changes it. An environment variable set by one test, a
`sys.path` entry, a changed working directory or a patched module attribute is still there for every
test that runs after it in the same process, so those tests pass or fail depending on which tests ran
before them: in isolation, with `-k`, with `pytest-randomly`, or split across `pytest-xdist` workers.
""",
        example="""
import os

import app.settings as settings


def test_feature_flag():
    os.environ["FEATURE_X"] = "1"
    settings.DEBUG = True
    assert app.feature_enabled()
""",
        use_instead="""
def test_feature_flag(monkeypatch):
    monkeypatch.setenv("FEATURE_X", "1")
    monkeypatch.setattr(settings, "DEBUG", True)
    assert app.feature_enabled()
""",
        fix_safety="""
In tests and function-scoped fixtures the fix rewrites the write into the matching `monkeypatch` call
and adds a `monkeypatch` parameter when the function has none (after `self` in methods); it is safe:
the test sees the same state, and pytest undoes it afterwards.

| write | rewritten to |
| --- | --- |
| `os.environ["X"] = v` | `monkeypatch.setenv("X", v)` |
| `del os.environ["X"]`, `os.environ.pop("X")` | `monkeypatch.delenv("X")` |
| `os.environ.pop("X", None)` | `monkeypatch.delenv("X", raising=False)` |
| `sys.path.insert(0, p)` | `monkeypatch.syspath_prepend(p)` |
| `sys.path.append(p)` | `monkeypatch.syspath_prepend(p)` — **unsafe**: the entry moves to the front, where it can shadow installed modules |
| `sys.modules["m"] = x`, `del sys.modules["m"]`, `sys.modules.pop("m", None)` | `monkeypatch.setitem(sys.modules, "m", x)`, `monkeypatch.delitem(sys.modules, "m")`, `monkeypatch.delitem(sys.modules, "m", raising=False)` |
| `sys.argv = [...]` | `monkeypatch.setattr(sys, "argv", [...])` |
| `os.chdir(p)` | `monkeypatch.chdir(p)` |
| `mod.ATTR = v`, `del mod.ATTR` | `monkeypatch.setattr(mod, "ATTR", v)`, `monkeypatch.delattr(mod, "ATTR")` (*) |
| `setattr(mod, "A", v)`, `delattr(mod, "A")` | `monkeypatch.setattr(mod, "A", v)`, `monkeypatch.delattr(mod, "A")` (*) |
| `matplotlib.rcParams[k] = v` | `monkeypatch.setitem(matplotlib.rcParams, k, v)` |

(*) `monkeypatch.setattr` raises `AttributeError` when the attribute does not exist yet, where the
assignment created it. The plain call is kept only when the project's own source defines the attribute
(at the top level of the module, or in the body of the imported class); otherwise — a new attribute,
or a module sessionlint cannot read (the standard library, an installed package) — the fix adds
`raising=False`, which behaves exactly like the assignment.

Only whole statements are rewritten (`old = os.environ.pop("X")` is not). A later raw write to a target
the fix moved to `monkeypatch` is then restored by it too (monkeypatch saved the value first), so it is
no longer reported. No fix is offered for writes without a `monkeypatch` equivalent
(`os.environ.update`, `os.umask`, `locale.setlocale`, `logging`, `global`, ...), in `unittest.TestCase`
classes (pytest does not inject fixtures there), in Hypothesis `@given` tests (function-scoped fixtures
fail its health check), and in fixtures whose scope sessionlint cannot tell.

In broad fixtures (class, module, package, session scope) the fix is unsafe: the fixture's body is
wrapped in `with pytest.MonkeyPatch.context() as mp:` and the writes become `mp.*` calls, so they are
undone when the fixture is torn down rather than never. A fixture that `return`s its value as its last
statement (its only `return`) becomes a `yield` fixture, one without any `return` gets a `yield` at the
end, and a fixture with another `return` gets no fix: a `yield` there would not end it. Session-wide
changes then end with the session, module-wide ones with the module: tests that relied on the change
leaking further, without requesting the fixture, start to fail.
""",
        options="""
`extra-global-targets`: more dotted names whose writes count, e.g.
`["myapp.config.settings", "myapp.registry.REGISTRY", "pandas.set_option"]`.

Warnings filters (`warnings.simplefilter`, `warnings.filterwarnings`) are not flagged by default:
pytest's `warnings` plugin runs every test inside `warnings.catch_warnings()`, so a filter a test or
fixture adds is gone after that test. A project that runs with `-p no:warnings` can add `"warnings"`
to `extra-global-targets`; then filters changed outside `warnings.catch_warnings()`, `pytest.warns()`
and `pytest.deprecated_call()` are flagged too.
""",
        references=(
            "https://docs.pytest.org/en/stable/how-to/monkeypatch.html",
            "https://docs.python.org/3/library/unittest.mock.html#patch-dict",
            "https://docs.python.org/3/library/contextlib.html#contextlib.chdir",
        ),
        valid=(
            'import os\n\n\ndef test_env(monkeypatch):\n    monkeypatch.setenv("FEATURE_X", "1")\n',
            'import os\n\nimport pytest\n\n\n@pytest.fixture\ndef feature():\n    os.environ["FEATURE_X"] = "1"\n'
            '    yield\n    del os.environ["FEATURE_X"]\n',
            "import os\n\n\ndef test_cwd(tmp_path):\n    old = os.getcwd()\n    os.chdir(tmp_path)\n    try:\n"
            "        assert os.listdir() == []\n    finally:\n        os.chdir(old)\n",
            'import os\nfrom unittest import mock\n\n\n@mock.patch.dict(os.environ, {"FEATURE_X": "1"})\n'
            'def test_patched():\n    os.environ["OTHER"] = "2"\n',
            'import os\n\n\ndef test_copy():\n    env = os.environ.copy()\n    env["FEATURE_X"] = "1"\n',
            "class Config:\n    debug = False\n\n\ndef test_instance():\n    config = Config()\n    config.debug = True\n",
            'import os\n\n\ndef test_set_and_unset():\n    os.environ["FEATURE_X"] = "1"\n    assert os.environ["FEATURE_X"]\n'
            '    del os.environ["FEATURE_X"]\n',
            "import contextlib\nimport os\n\n\ndef test_chdir(tmp_path):\n    with contextlib.chdir(tmp_path):\n"
            "        os.chdir(tmp_path)\n",
        ),
        invalid=(
            Example(
                'import os\n\n\ndef test_feature():\n    os.environ["FEATURE_X"] = "1"\n    assert os.environ["FEATURE_X"] == "1"\n',
                fixed='import os\n\n\ndef test_feature(monkeypatch):\n    monkeypatch.setenv("FEATURE_X", "1")\n'
                '    assert os.environ["FEATURE_X"] == "1"\n',
            ),
            Example(
                "import os\nimport sys\n\n\nclass TestPaths:\n    def test_path(self, tmp_path):\n"
                "        sys.path.insert(0, str(tmp_path))  # make the plugin importable\n        os.chdir(tmp_path)\n",
                fixed="import os\nimport sys\n\n\nclass TestPaths:\n    def test_path(self, tmp_path, monkeypatch):\n"
                "        monkeypatch.syspath_prepend(str(tmp_path))  # make the plugin importable\n"
                "        monkeypatch.chdir(tmp_path)\n",
            ),
            Example(
                'import settings\n\n\ndef test_debug():\n    settings.DEBUG = True\n    setattr(settings, "TIMEOUT", 0)\n'
                "    settings.NEW_FLAG = 1\n",
                fixed='import settings\n\n\ndef test_debug(monkeypatch):\n    monkeypatch.setattr(settings, "DEBUG", True)\n'
                '    monkeypatch.setattr(settings, "TIMEOUT", 0)\n'
                '    monkeypatch.setattr(settings, "NEW_FLAG", 1, raising=False)\n',
                files={"settings.py": "DEBUG = False\nTIMEOUT = 30\n"},
            ),
            Example(
                'import os\n\nimport pytest\n\n\n@pytest.fixture(scope="session")\ndef offline():\n'
                '    """No network for the whole run."""\n    os.environ["NO_NETWORK"] = "1"\n    yield\n',
                fixed='import os\n\nimport pytest\n\n\n@pytest.fixture(scope="session")\ndef offline():\n'
                '    """No network for the whole run."""\n    with pytest.MonkeyPatch.context() as mp:\n'
                '        mp.setenv("NO_NETWORK", "1")\n        yield\n',
                unsafe=True,
            ),
            Example(
                "import os\n\n\ndef test_umask():\n    os.umask(0o077)\n",
                fixed=None,
            ),
        ),
    ),
]

# --------------------------------------------------------------------------------------------
# what counts as global state

# containers that are process state: dotted name -> family
STATE_OBJECTS = {
    "os.environ": "env",
    "os.environb": "env",
    "sys.path": "syspath",
    "sys.modules": "sysmodules",
    "sys.argv": "argv",
    "matplotlib.rcParams": "rcparams",
    "matplotlib.pyplot.rcParams": "rcparams",
    "matplotlib.pylab.rcParams": "rcparams",
    "pylab.rcParams": "rcparams",
    "warnings.filters": "warnings",
}
_DICT_WRITES = frozenset({"update", "pop", "setdefault", "clear", "popitem", "__setitem__", "__delitem__"})
_LIST_WRITES = frozenset(
    {
        "append",
        "insert",
        "extend",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        "__setitem__",
        "__delitem__",
        "__iadd__",
    }
)
CONTAINER_WRITES = {
    "env": _DICT_WRITES,
    "sysmodules": _DICT_WRITES,
    "rcparams": _DICT_WRITES,
    "syspath": _LIST_WRITES,
    "argv": _LIST_WRITES,
    "warnings": _LIST_WRITES,
}
_KEYED = frozenset({"env", "sysmodules", "rcparams"})  # dict-like families: targets carry the key
DELETING = frozenset({"pop", "remove", "clear", "popitem", "__delitem__"})

# functions whose call writes global state: qualified name -> family
CALL_WRITES = {
    "os.putenv": "env",
    "os.unsetenv": "env",
    "os.chdir": "cwd",
    "os.fchdir": "cwd",
    "os.umask": "umask",
    "locale.setlocale": "locale",
    "socket.setdefaulttimeout": "sockettimeout",
    "logging.disable": "logdisable",
    "matplotlib.rc": "rcparams",
    "matplotlib.pyplot.rc": "rcparams",
    "matplotlib.style.use": "rcparams",
    "matplotlib.pyplot.style.use": "rcparams",
    "warnings.simplefilter": "warnings",
    "warnings.filterwarnings": "warnings",
}
# calls that only ever put state back: they restore, they are never reported
RESET_CALLS = {
    "matplotlib.rcdefaults": "rcparams",
    "matplotlib.pyplot.rcdefaults": "rcparams",
    "matplotlib.rc_file_defaults": "rcparams",
    "matplotlib.pyplot.rc_file_defaults": "rcparams",
    "warnings.resetwarnings": "warnings",
}
# calls that read the state (a name bound to their result holds a saved value)
GETTERS = {
    "os.getcwd": "cwd",
    "os.getcwdb": "cwd",
    "os.curdir": "cwd",
    "pathlib.Path.cwd": "cwd",
    "os.getenv": "env",
    "os.getenvb": "env",
    "os.umask": "umask",
    "locale.setlocale": "locale",
    "locale.getlocale": "locale",
    "locale.getdefaultlocale": "locale",
    "locale.getencoding": "locale",
    "socket.getdefaulttimeout": "sockettimeout",
    "logging.root.manager.disable": "logdisable",
    "logging.getLevelName": "loglevel",
}
# with-blocks that restore a family on exit
RESTORING_CONTEXTS = {
    "warnings.catch_warnings": "warnings",
    "pytest.warns": "warnings",
    "pytest.deprecated_call": "warnings",
    "numpy.testing.suppress_warnings": "warnings",
    "numpy.testing.assert_warns": "warnings",
    "contextlib.chdir": "cwd",
    "matplotlib.rc_context": "rcparams",
    "matplotlib.pyplot.rc_context": "rcparams",
    "matplotlib.style.context": "rcparams",
    "matplotlib.pyplot.style.context": "rcparams",
}
DJANGO_SETTINGS_OVERRIDES = frozenset({"override_settings", "modify_settings"})
IMPORT_CALLS = frozenset({"pytest.importorskip", "importlib.import_module", "__import__"})
MONKEYPATCH_CLASSES = frozenset({"pytest.MonkeyPatch", "_pytest.monkeypatch.MonkeyPatch", "MonkeyPatch"})
MOCKER_NAMES = frozenset({"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"})
# built-in fixtures whose teardown restores state
BUILTIN_RESTORES = {
    "pytester": (("syspath", None), ("sysmodules", None), ("cwd", None)),
    "testdir": (("syspath", None), ("sysmodules", None), ("cwd", None)),
}
CLEANUP_METHODS = frozenset({"addfinalizer", "addCleanup", "addClassCleanup", "callback", "enterModuleContext"})
XUNIT_TEARDOWN_METHODS = frozenset(
    {"teardown_method", "teardown", "tearDown", "teardown_class", "tearDownClass", "doCleanups"}
)
XUNIT_SETUP_METHODS = frozenset({"setUp", "setup_method", "setup", "asyncSetUp"})
XUNIT_TEARDOWN_FUNCTIONS = frozenset({"teardown_module", "teardown_function", "tearDownModule", "teardown"})
LOG_NOTSET = frozenset({"logging.NOTSET"})
# pytest's capture plugin puts these back after every test (unless run with -s)
CAPTURED_STREAMS = frozenset({"sys.stdout", "sys.stderr", "sys.stdin"})
# ctypes function prototypes: declaring them is configuration, not state a test changes
CTYPES_PROTOTYPE = frozenset({"restype", "argtypes", "errcheck"})
# calls that undo everything some object recorded: snapshot.restore(), mp.undo()
UNDO_METHODS = frozenset({"undo", "restore"})
CONTEXTMANAGER_DECORATORS = frozenset({"contextlib.contextmanager", "contextmanager", "contextlib.asynccontextmanager"})

Target = tuple  # (family, key | None)


def covers(restorer: Target, write: Target) -> bool:
    """Whether putting ``restorer`` back also puts ``write`` back."""
    if restorer[0] == "*":
        return True
    if restorer[0] != write[0]:
        return False
    if restorer[1] is None:
        return True
    if write[1] is None:
        return False  # os.environ.update(...) is not undone by os.environ.pop("X")
    if restorer[0] in ("attr", "extra"):
        return write[1] == restorer[1] or write[1].startswith(restorer[1] + ".")
    return restorer[1] == write[1]


# --------------------------------------------------------------------------------------------
# events


@dataclass(slots=True)
class Event:
    target: Target
    node: ast.AST
    pos: tuple[int, int]
    write: bool = True  # False: restores only (monkeypatch call, reset, cleanup callback)
    restoring: bool = False  # puts a value back: a deletion, a saved value, a reset
    deletes: bool = False  # a deletion (del, pop, remove, unsetenv, delattr): a change of its own
    anywhere: bool = False  # restores whatever its position (nested function, cleanup callback, helper)
    before: bool = False  # restores what is written after it (monkeypatch, mock.patch calls)
    protected: bool = False  # inside a with-block that restores it, or under a patch decorator
    in_finally: bool = False
    after_yield: bool = False
    what: str = ""
    advice: str = ""  # what to use instead, with "{mp}" for the monkeypatch object
    call: str = ""  # the monkeypatch call that replaces the statement: ".setenv(...)"
    unsafe_call: bool = False  # the rewrite changes behaviour (sys.path.append -> syspath_prepend)
    stmt: ast.stmt | None = None  # the whole statement, when the write is one
    attr: str = ""  # for monkeypatch.setattr rewrites: the attribute's dotted name (does it exist?)
    assign: bool = False  # a plain assignment of a value (``mod.X = v``, ``setattr(mod, "X", v)``)


@dataclass(slots=True)
class _State:
    protect: tuple = ()
    in_finally: bool = False
    nested: bool = False


def _pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        value = node.value
        return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, *test.comparators]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        _const_str(s) == "__main__" for s in sides
    )


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements in source order, compound bodies included, nested functions and classes not."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list):
                yield from _own_statements(inner)
        for handler in getattr(stmt, "handlers", None) or []:
            yield from _own_statements(handler.body)
        for case in getattr(stmt, "cases", None) or []:
            yield from _own_statements(case.body)


def _simple_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in _own_statements(body):
        if not isinstance(
            stmt,
            (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar, ast.Match,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
        ):  # fmt: skip
            yield stmt


def _walk_own(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` without entering nested functions, lambdas and classes."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        for child in ast.iter_child_nodes(cur):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)


# --------------------------------------------------------------------------------------------
# names of a file


class _FileNames:
    """Import aliases of a file, with ``x = pytest.importorskip("m")`` counted as an import."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.aliases = dict(ctx.aliases)
        self.not_imports: set[str] = set()  # module-level names bound otherwise
        self.loggers: dict[str, str | None] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.not_imports.add(stmt.name)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if not isinstance(target, ast.Name):
                        continue
                    imported = _imported_module(ctx.qualify, stmt.value)
                    if imported is not None:
                        self.aliases[target.id] = imported
                        continue
                    self.not_imports.add(target.id)
        self.modules: set[str] = {v for k, v in self.aliases.items() if k not in ctx.aliases}  # importorskip
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules.update(_module_prefixes(alias.name))
        self.module_saved: dict[str, set[str]] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                found = _module_reads(ctx, stmt.value)
                if found:
                    self.module_saved[stmt.targets[0].id] = found
        self.classes: dict[str, ast.ClassDef] = {}
        self._collect_classes(ctx.tree.body, None)
        self.cm_cache: dict[str, tuple[list, list[str]]] = {}
        self.helper_cache: dict[str, list[Target]] = {}
        self._lines: list[str] | None = None
        self._reads: list[tuple[ast.AST, set[str]]] | None = None
        extras = tuple(getattr(ctx.settings, "extra_global_targets", ()) or ())
        self.warnings = any(e == "warnings" or e.startswith("warnings.") for e in extras)
        self.extras = tuple(e for e in extras if not (e == "warnings" or e.startswith("warnings.")))
        kinds = (ctx.facts.rule_data.get("collect") or {}).get("kinds", {})  # collection.py's view
        self.unittest_classes = {
            name for name in self.classes if self._unittest(name, set()) or kinds.get(name) in ("unittest", "maybe")
        }

    def read_elsewhere(self, name: str, writer: FunctionNode) -> bool:
        """Whether a function other than ``writer`` (a test, fixture, helper or method) reads global ``name``."""
        if self._reads is None:
            self._reads = []
            for node in ast.walk(self.ctx.tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    loaded = {n.id for n in _walk_own(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                    if isinstance(node, ast.Lambda):
                        loaded |= {n.id for n in ast.walk(node.body) if isinstance(n, ast.Name)}
                    self._reads.append((node, loaded))
        return any(node is not writer and name in loaded for node, loaded in self._reads)

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` (``ast.get_source_segment`` without re-splitting the file)."""
        if self._lines is None:
            splitter = getattr(ast, "_splitlines_no_ff", None)
            self._lines = splitter(self.ctx.text) if splitter else self.ctx.text.splitlines(keepends=True)
        lines = self._lines
        try:
            first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined,operator]
            start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ast.unparse(node)
        if end is None or last >= len(lines):
            return ast.unparse(node)
        if first == last:
            return lines[first].encode()[start:end].decode()
        parts = [lines[first].encode()[start:].decode()]
        parts += lines[first + 1 : last]
        parts.append(lines[last].encode()[:end].decode())
        return "".join(parts)

    def _collect_classes(self, body: list[ast.stmt], outer: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                name = f"{outer}.{stmt.name}" if outer else stmt.name
                self.classes[name] = stmt
                self._collect_classes(stmt.body, name)

    def _unittest(self, name: str, seen: set[str]) -> bool:
        node = self.classes.get(name)
        if node is None or name in seen:
            return False
        seen.add(name)
        for base in node.bases:
            qual = self.ctx.qualify(base) or ""
            if "unittest" in qual or qual.endswith("TestCase") or qual.startswith("django.test"):
                return True
            if isinstance(base, ast.Name) and self._unittest(base.id, seen):
                return True
        return False

    def class_chain(self, cls: str | None) -> list[ast.ClassDef]:
        """The class of a method, the classes around it, and their base classes defined in this module."""
        if not cls:
            return []
        parts = cls.split(".")
        queue = [
            self.classes[".".join(parts[:i])] for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in self.classes
        ]
        found: list[ast.ClassDef] = []
        while queue and len(found) < 50:
            node = queue.pop(0)
            if node in found:
                continue
            found.append(node)
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in self.classes:
                    queue.append(self.classes[base.id])
        return found


def _module_reads(ctx: FileContext, value: ast.expr) -> set[str]:
    """Families a module-level value saves (``_LOCALE = locale.setlocale(locale.LC_ALL)``)."""
    found: set[str] = set()
    for node in ast.walk(value):
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = ctx.qualify(node) or ""
            if dotted in STATE_OBJECTS:
                found.add(STATE_OBJECTS[dotted])
            elif dotted in GETTERS:
                found.add(GETTERS[dotted])
    return found


def _module_prefixes(name: str) -> list[str]:
    """``import a.b.c`` binds the modules ``a``, ``a.b`` and ``a.b.c``."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _imported_module(qualify, value: ast.expr) -> str | None:
    """``pytest.importorskip("m")`` / ``importlib.import_module("m")`` -> ``m``."""
    if isinstance(value, ast.Call) and value.args and (qualify(value.func) or "") in IMPORT_CALLS:
        return _const_str(value.args[0])
    return None


# --------------------------------------------------------------------------------------------
# scanning one function


class _Scan:
    """The global-state events of one test or fixture (or a helper scanned for restorations)."""

    def __init__(self, names: _FileNames, fn: FunctionNode, depth: int = 0) -> None:
        self.names = names
        self.ctx = names.ctx
        self.fn = fn
        self.depth = depth
        self.events: list[Event] = []
        self.teardown_protect: list[Target] = []  # with-blocks around the yield
        args = fn.args
        self.params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self.params.add(extra.arg)
        self.declared_global: set[str] = set()
        self.local_imports: dict[str, str] = {}
        self.local_modules: set[str] = set()
        self.locals: set[str] = set()
        self.yield_pos: tuple[int, int] | None = None
        stack: list[ast.AST] = list(fn.body)
        while stack:  # one walk of the body, nested functions and classes not entered
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.locals.add(node.name)
                continue
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, ast.Name):
                if not isinstance(node.ctx, ast.Load):
                    self.locals.add(node.id)
                continue
            if isinstance(node, ast.Global):
                self.declared_global.update(node.names)
            elif isinstance(node, (ast.Yield, ast.YieldFrom)):
                if self.yield_pos is None or _pos(node) < self.yield_pos:
                    self.yield_pos = _pos(node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    head = alias.asname or alias.name.split(".")[0]
                    self.local_imports[head] = alias.name if alias.asname else head
                    self.local_modules.update(_module_prefixes(alias.name))
            elif isinstance(node, ast.ImportFrom):
                prefix = "." * node.level + (node.module or "")
                for alias in node.names:
                    if alias.name != "*":
                        self.local_imports[alias.asname or alias.name] = (
                            f"{prefix}.{alias.name}" if prefix else alias.name
                        )
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.locals.add(node.name)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                # ``plt = pytest.importorskip("matplotlib.pyplot")`` inside the function
                imported = _imported_module(self.ctx.qualify, node.value)
                if imported is not None:
                    self.local_imports[node.targets[0].id] = imported
                    self.local_modules.add(imported)
            stack.extend(ast.iter_child_nodes(node))
        self.locals -= self.declared_global
        self.locals -= set(self.local_imports)
        self.state_alias: dict[str, str] = {}  # env = os.environ
        self.loggers: dict[str, str | None] = {}  # log = logging.getLogger("x")
        self.saved: dict[str, set[str]] = {}  # old = os.getcwd() -> {"cwd"}
        self.mp_names: set[str] = {p for p in self.params if p == "monkeypatch"}
        self.current: ast.stmt | None = None
        self.raising: set[int] = set()  # statements expected to raise (last in a pytest.raises block)

    # names ---------------------------------------------------------------------------------
    def _head(self, name: str) -> str | None:
        if name in self.state_alias:
            return self.state_alias[name]
        if name in self.local_imports:
            return self.local_imports[name]
        if name in self.params and name in MOCKER_NAMES:
            return name  # pytest-mock: mocker.patch(...) restores like mock.patch
        if name in self.params or name in self.locals:
            return None
        return self.names.aliases.get(name, name)

    def qualify(self, node: ast.AST) -> str | None:
        found = dotted_parts(node)
        head = self._head(found[0]) if found is not None else None
        if found is None or head is None:
            return None
        return ".".join([head, *found[1]])

    def import_bound(self, name: str) -> bool:
        """``name`` refers to something bound by an import (a module, an imported class or object)."""
        if name in self.local_imports:
            return True
        if name in self.params or name in self.locals or name in self.names.not_imports:
            return False
        return name in self.names.aliases

    def below_import(self, obj: ast.AST, dotted: str | None) -> bool:
        """``obj`` (the object written to, named ``dotted``) is reached through an import but is not a
        module: ``flask.g`` in ``flask.g.foo = 1``. The imported name itself (``mod`` in ``mod.X = 1``,
        a module or an imported class) is not."""
        if not isinstance(obj, ast.Attribute):
            return False
        return not dotted or (dotted not in self.names.modules and dotted not in self.local_modules)

    def root(self, node: ast.AST) -> ast.Name | None:
        while isinstance(node, ast.Attribute):
            node = node.value
        return node if isinstance(node, ast.Name) else None

    def text(self, node: ast.AST) -> str:
        return self.names.segment(node)

    def extra_for(self, dotted: str | None) -> str | None:
        if not dotted:
            return None
        for entry in self.names.extras:
            if dotted == entry or dotted.startswith(entry + "."):
                return entry
        return None

    def family_of(self, node: ast.AST) -> tuple[str, str] | None:
        """(family, dotted) when ``node`` is a global state container (os.environ, sys.path, ...)."""
        dotted = self.qualify(node)
        if dotted is None:
            return None
        family = STATE_OBJECTS.get(dotted)
        if family == "warnings" and not self.names.warnings:
            return None
        if family is not None:
            return family, dotted
        return None

    def logger_key(self, node: ast.AST) -> tuple[bool, str | None]:
        """(is a logger, its name or None when not known)."""
        if isinstance(node, ast.Name) and node.id in self.loggers:
            return True, self.loggers[node.id]
        if (
            isinstance(node, ast.Name)
            and node.id in self.names.loggers
            and not (node.id in self.params or node.id in self.locals)
        ):
            return True, self.names.loggers[node.id]
        dotted = self.qualify(node)
        if dotted == "logging.root":
            return True, ""
        if isinstance(node, ast.Call) and self.qualify(node.func) == "logging.getLogger":
            if not node.args:
                return True, ""
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and arg.value in (None, "root", ""):
                return True, ""
            return True, _const_str(arg)
        return False, None

    def reads(self, value: ast.AST) -> set[str]:
        """The families whose current value ``value`` reads (a saved value)."""
        found: set[str] = set()
        for node in _walk_own(value):
            if isinstance(node, ast.Name):
                if node.id in self.saved:
                    found |= self.saved[node.id]
                if node.id in self.declared_global:
                    found.add("global")
                if node.id in self.loggers:
                    found.add("loglevel")
            if isinstance(node, (ast.Attribute, ast.Name)):
                dotted = self.qualify(node)
                if dotted is None:
                    continue
                if dotted in STATE_OBJECTS:
                    found.add(STATE_OBJECTS[dotted])
                elif dotted in GETTERS:
                    found.add(GETTERS[dotted])
                elif isinstance(node, ast.Attribute):
                    root = self.root(node)
                    if root is not None and self.import_bound(root.id):
                        found.add("attr")
                if self.extra_for(dotted):
                    found.add("extra")
            if isinstance(node, ast.Attribute) and node.attr in ("level", "getEffectiveLevel", "disabled"):
                found.add("loglevel")
            if isinstance(node, ast.Attribute) and node.attr == "cwd":
                found.add("cwd")
            if isinstance(node, ast.Call) and self.qualify(node.func) == "getattr":
                found.add("attr")
        return found

    def saved_value(self, value: ast.AST | None, family: str) -> bool:
        """``value`` holds a value saved from ``family`` before (``old``, ``saved["X"]``)."""
        node = value
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
            node = node.value  # saved["X"], saved.value
        if isinstance(node, ast.Call):
            # str(old), os.fspath(old), dict(saved): a conversion of the saved value, nothing added
            args = [*node.args, *(k.value for k in node.keywords)]
            return bool(args) and all(self.saved_value(a, family) for a in args)
        if not isinstance(node, ast.Name):
            return False
        if family in self.saved.get(node.id, ()):
            return True
        return (
            node.id not in self.locals
            and node.id not in self.params
            and family in self.names.module_saved.get(node.id, ())
        )

    def saved_args(self, call: ast.Call, family: str) -> bool:
        """A write call whose argument is a saved value: ``os.chdir(old)``, ``os.environ.update(saved)``."""
        return any(self.saved_value(a, family) for a in call.args)

    # the walk --------------------------------------------------------------------------------
    def run(self) -> "_Scan":
        self.body(self.fn.body, _State())
        return self

    def body(self, stmts: list[ast.stmt], st: _State) -> None:
        for stmt in stmts:
            self.stmt(stmt, st)

    def stmt(self, stmt: ast.stmt, st: _State) -> None:
        self.current = stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.body(stmt.body, _State(st.protect, st.in_finally, nested=True))
            return
        if isinstance(stmt, ast.ClassDef):
            return
        if isinstance(stmt, ast.If):
            if _is_main_guard(stmt.test):
                self.body(stmt.orelse, st)
                return
            self.exprs(stmt.test, st)
            self.body(stmt.body, st)
            self.body(stmt.orelse, st)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            protect = list(st.protect)
            if stmt.body and any(
                isinstance(item.context_expr, ast.Call)
                and (
                    (self.qualify(item.context_expr.func) or "") == "pytest.raises"
                    or (
                        isinstance(item.context_expr.func, ast.Attribute)
                        and item.context_expr.func.attr in ("assertRaises", "assertRaisesRegex")
                    )
                )
                for item in stmt.items
            ):
                self.raising.add(id(stmt.body[-1]))
            for item in stmt.items:
                protect += self.context_targets(item.context_expr)
                self.exprs(item.context_expr, st, in_with=True)
                if isinstance(item.optional_vars, ast.Name) and self.is_mp_context(item.context_expr):
                    self.mp_names.add(item.optional_vars.id)
            inner = _State(tuple(protect), st.in_finally, st.nested)
            if self.yield_pos is not None and _encloses(stmt, self.yield_pos):
                self.teardown_protect += protect[len(st.protect) :]
            self.body(stmt.body, inner)
        elif isinstance(stmt, (ast.Try, ast.TryStar)):
            self.body(stmt.body, st)
            for handler in stmt.handlers:
                self.body(handler.body, st)
            self.body(stmt.orelse, st)
            self.body(stmt.finalbody, _State(st.protect, True, st.nested))
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.exprs(stmt.iter, st)
            self.body(stmt.body, st)
            self.body(stmt.orelse, st)
        elif isinstance(stmt, ast.While):
            self.exprs(stmt.test, st)
            self.body(stmt.body, st)
            self.body(stmt.orelse, st)
        elif isinstance(stmt, ast.Match):
            self.exprs(stmt.subject, st)
            for case in stmt.cases:
                self.body(case.body, st)
        elif isinstance(stmt, ast.Assign):
            self.exprs(stmt.value, st)
            for target in stmt.targets:
                self.target(target, stmt.value, "set", stmt if len(stmt.targets) == 1 else None, st)
            self.bind(stmt.targets, stmt.value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.exprs(stmt.value, st)
                self.target(stmt.target, stmt.value, "set", None, st)
                self.bind([stmt.target], stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            self.exprs(stmt.value, st)
            self.target(stmt.target, stmt.value, "aug", None, st)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self.target(target, None, "del", stmt if len(stmt.targets) == 1 else None, st)
        else:
            self.exprs(stmt, st, stmt=stmt if isinstance(stmt, ast.Expr) else None)

    def bind(self, targets: list[ast.expr], value: ast.expr) -> None:
        """Track names bound to a saved value, a state container, a logger or a MonkeyPatch."""
        for target in targets:
            if isinstance(target, (ast.Tuple, ast.List)):
                values = (
                    value.elts
                    if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts)
                    else [value] * len(target.elts)
                )
                for elt, val in zip(target.elts, values):
                    self.bind([elt], val)
                continue
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            self.state_alias.pop(name, None)
            self.loggers.pop(name, None)
            self.mp_names.discard(name)
            family = self.family_of(value)
            if family is not None and isinstance(value, (ast.Name, ast.Attribute)):
                self.state_alias[name] = family[1]
            is_logger, key = self.logger_key(value)
            if is_logger:
                self.loggers[name] = key
            if isinstance(value, ast.Call) and (self.qualify(value.func) or "") in MONKEYPATCH_CLASSES:
                self.mp_names.add(name)
            self.saved[name] = self.reads(value)

    # expressions -------------------------------------------------------------------------------
    def exprs(self, node: ast.AST, st: _State, stmt: ast.stmt | None = None, in_with: bool = False) -> None:
        stack = [node]
        while stack:
            cur = stack.pop()
            if isinstance(cur, ast.Lambda):
                self.exprs(cur.body, _State(st.protect, st.in_finally, nested=True))
                continue
            if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(cur, ast.Call):
                whole = stmt if stmt is not None and stmt.value is cur else None  # type: ignore[attr-defined]
                self.call(cur, st, whole, in_with and cur is node)
            stack.extend(ast.iter_child_nodes(cur))

    def emit(self, event: Event, st: _State) -> None:
        if event.write and self.current is not None and id(self.current) in self.raising:
            return  # the write is what the pytest.raises block expects to fail
        event.in_finally = st.in_finally
        if st.nested:
            event.anywhere = True
            event.write = False
        if any(covers(p, event.target) for p in st.protect):
            event.protected = True
        if self.yield_pos is not None and event.pos > self.yield_pos:
            event.after_yield = True
        self.events.append(event)

    def restore(self, target: Target, node: ast.AST, st: _State, anywhere: bool = False, before: bool = False) -> None:
        event = Event(target, node, _pos(node), write=False, restoring=True, anywhere=anywhere, before=before)
        self.emit(event, st)

    def call(self, call: ast.Call, st: _State, stmt: ast.stmt | None, in_with: bool) -> None:
        func = call.func
        qual = self.qualify(func) or ""
        receiver = func.value if isinstance(func, ast.Attribute) else None
        method = func.attr if isinstance(func, ast.Attribute) else ""
        # monkeypatch, mock.patch and mocker calls restore what is written after them
        if receiver is not None and (
            (isinstance(receiver, ast.Name) and receiver.id in self.mp_names) or self.is_mp_context(receiver)
        ):
            for target in self.monkeypatch_targets(method, call):
                self.restore(target, call, st, before=True)
            return
        kind = _patch_kind(qual)
        if kind is not None:
            if not in_with:
                for target in self.patch_targets(kind, call):
                    self.restore(target, call, st, before=True)
            return
        # stack.enter_context(mock.patch.dict(os.environ)): restored when the stack closes
        if method in ("enter_context", "enterContext", "enter_async_context") and call.args:
            for target in self.context_targets(call.args[0]):
                self.restore(target, call, st, anywhere=True)
            return
        # cleanup registrations: request.addfinalizer(os.chdir, old), self.addCleanup(setattr, mod, "X", old)
        if (method in CLEANUP_METHODS or qual == "atexit.register") and call.args:
            self.cleanup(call, st)
            return
        if method in UNDO_METHODS and not call.args and receiver is not None:
            self.restore(("*", None), call, st)
            return
        if qual in RESET_CALLS:
            self.restore((RESET_CALLS[qual], None), call, st)
            return
        if qual in ("importlib.reload", "imp.reload") and call.args:
            dotted = self.qualify(call.args[0])
            if dotted:
                self.restore(("attr", dotted), call, st)
            return
        # state container methods: os.environ.pop("X"), sys.path.insert(0, p)
        if receiver is not None:
            family = self.family_of(receiver)
            if family is not None and method in CONTAINER_WRITES.get(family[0], ()):
                self.container_call(family, receiver, method, call, st, stmt)
                return
            extra = self.extra_for(self.qualify(receiver))
            if extra is not None and method in _DICT_WRITES | _LIST_WRITES | {"add", "discard"}:
                self.emit(
                    self.event(
                        ("extra", extra), call, f"changes '{extra}'", "set it back after yield or in a finally block"
                    ),
                    st,
                )
                return
            if method == "setLevel":
                is_logger, key = self.logger_key(receiver)
                if is_logger:
                    self.log_level(key, call, st)
                    return
        if qual in ("setattr", "delattr") and len(call.args) >= 2:
            self.setattr_call(qual, call, st, stmt)
            return
        family_name = CALL_WRITES.get(qual)
        if family_name == "warnings" and not self.names.warnings:
            family_name = None
        if family_name is not None:
            self.call_write(family_name, qual, call, st, stmt)
            return
        extra = self.extra_for(qual)
        if extra is not None and qual == extra:
            self.emit(
                self.event(("extra", extra), call, f"calls {extra}()", "set it back after yield or in a finally block"),
                st,
            )
            return
        # a helper of this module called from the test: what it writes counts as restoring
        if isinstance(func, ast.Name) and self.depth == 0 and func.id in self.ctx.module_functions:
            helper = self.ctx.module_functions[func.id]
            if helper is not self.fn:
                self.absorb(helper, call, st)

    def absorb(self, helper: FunctionNode, at: ast.AST, st: _State) -> None:
        """Count what ``helper`` writes as restorations at ``at`` (prefer silence)."""
        if self.depth >= 2:
            return
        targets = self.names.helper_cache.get(helper.name)
        if targets is None:
            targets = [e.target for e in _Scan(self.names, helper, self.depth + 1).run().events]
            self.names.helper_cache[helper.name] = targets
        for target in targets:
            self.restore(target, at, st, anywhere=True)

    def cleanup(self, call: ast.Call, st: _State) -> None:
        callback = call.args[0]
        nested = _State(st.protect, st.in_finally, nested=True)
        if isinstance(callback, ast.Lambda):
            return self.exprs(callback.body, nested)
        if (
            isinstance(callback, ast.Call)
            and (self.qualify(callback.func) or "") == "functools.partial"
            and callback.args
        ):
            callback, args, keywords = callback.args[0], callback.args[1:], callback.keywords
        else:
            args, keywords = call.args[1:], call.keywords
        if isinstance(callback, ast.Name) and callback.id in self.ctx.module_functions and self.depth == 0:
            return self.absorb(self.ctx.module_functions[callback.id], call, st)
        synthetic = ast.Call(func=callback, args=list(args), keywords=list(keywords))
        ast.copy_location(synthetic, call)
        self.call(synthetic, nested, None, False)

    # event builders ------------------------------------------------------------------------------
    def event(self, target: Target, node: ast.AST, what: str, advice: str, **kw) -> Event:
        return Event(target, node, _pos(node), what=what, advice=advice, **kw)

    def key_of(self, node: ast.AST | None) -> tuple[str | None, str]:
        """(constant key or None, how to show it)."""
        if node is None:
            return None, ""
        value = _const_str(node)
        if value is None and isinstance(node, ast.Name) and node.id not in self.locals | self.params:
            bound = self.ctx.module_globals.get(node.id)
            value = _const_str(bound)
        if value is not None:
            return value, f"'{value}'"
        return None, self.text(node)

    def container_call(self, family: tuple[str, str], receiver, method, call, st, stmt) -> None:
        fam, dotted = family
        args = call.args
        key_node = args[0] if args and method in ("pop", "setdefault", "__setitem__", "__delitem__") else None
        key, shown = self.key_of(key_node) if fam in _KEYED else (None, "")
        restoring = method in ("pop", "remove", "__delitem__") or (
            method in ("update", "__setitem__", "extend", "__iadd__") and self.saved_args(call, fam)
        )
        obj = self.text(receiver)
        call_text, unsafe = "", False
        if stmt is not None and not call.keywords:
            if fam == "env" and method == "pop" and len(args) in (1, 2) and dotted == "os.environ":
                extra = ", raising=False" if len(args) == 2 else ""
                call_text = f".delenv({self.text(args[0])}{extra})"
            elif fam == "sysmodules" and method == "pop" and len(args) in (1, 2):
                extra = ", raising=False" if len(args) == 2 else ""
                call_text = f".delitem({obj}, {self.text(args[0])}{extra})"
            elif fam == "syspath" and method == "insert" and len(args) == 2 and _is_zero(args[0]):
                call_text = f".syspath_prepend({self.text(args[1])})"
            elif fam == "syspath" and method == "append" and len(args) == 1:
                call_text, unsafe = f".syspath_prepend({self.text(args[0])})", True
        what, advice = _describe(fam, "del" if method in DELETING else "set", key, shown, dotted, obj)
        if call_text.endswith(", raising=False)") and advice.endswith(")"):
            advice = advice[:-1] + ", raising=False)"
        if method in ("update", "clear", "popitem") and fam == "env":
            what = "changes os.environ"
            advice = "use {mp}.setenv()/{mp}.delenv() per variable, or mock.patch.dict(os.environ, ...)"
        self.emit(
            self.event(
                (fam, key) if fam in _KEYED else (fam, None), call, what, advice, restoring=restoring,
                deletes=method in DELETING, call=call_text, unsafe_call=unsafe, stmt=stmt if call_text else None,
            ),
            st,
        )  # fmt: skip

    def call_write(self, fam: str, qual: str, call: ast.Call, st: _State, stmt) -> None:
        args = call.args
        restoring, call_text = False, ""
        deletes = qual == "os.unsetenv"
        key: str | None = None
        shown = ""
        if fam == "env":
            key, shown = self.key_of(args[0] if args else None)
            restoring = qual == "os.unsetenv" or (len(args) >= 2 and self.saved_value(args[1], "env"))
            action = "set" if qual == "os.putenv" else "del"
            what, advice = _describe("env", action, key, shown, qual, "")
            what += f" with {qual}() (os.environ does not see it)" if qual == "os.putenv" else f" with {qual}()"
        elif fam == "locale":
            value = args[1] if len(args) >= 2 else next((k.value for k in call.keywords if k.arg == "locale"), None)
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                return  # setlocale(category) only reads the locale
            restoring = _const_str(value) == "" or self.saved_value(value, "locale")
            what, advice = _describe(fam, "set", None, "", qual, "")
        elif fam == "logdisable":
            level = args[0] if args else None
            restoring = level is not None and (
                (self.qualify(level) or "") in LOG_NOTSET or (isinstance(level, ast.Constant) and level.value == 0)
            )
            what, advice = _describe(fam, "set", None, "", qual, "")
        elif fam == "sockettimeout":
            value = args[0] if args else None
            restoring = (isinstance(value, ast.Constant) and value.value is None) or self.saved_value(value, fam)
            what, advice = _describe(fam, "set", None, "", qual, "")
        else:
            restoring = self.saved_args(call, fam)
            what, advice = _describe(fam, "set", None, "", qual, "")
            if fam == "cwd" and qual == "os.chdir" and stmt is not None and len(args) == 1 and not call.keywords:
                call_text = f".chdir({self.text(args[0])})"
        self.emit(
            self.event((fam, key), call, what, advice, restoring=restoring, deletes=deletes, call=call_text,
                       stmt=stmt if call_text else None),
            st,
        )  # fmt: skip

    def log_level(self, key: str | None, call: ast.Call, st: _State) -> None:
        level = call.args[0] if call.args else None
        restoring = level is not None and (
            (self.qualify(level) or "") in LOG_NOTSET
            or (isinstance(level, ast.Constant) and level.value == 0 and key != "")
            or self.saved_value(level, "loglevel")
        )
        shown = "the root logger" if key == "" else (f"logger '{key}'" if key else "a logger")
        self.emit(
            self.event(
                ("loglevel", key), call, f"changes the level of {shown}",
                "use caplog.set_level(...), which restores the level, or set it back after yield",
                restoring=restoring,
            ),
            st,
        )  # fmt: skip

    def setattr_call(self, qual: str, call: ast.Call, st: _State, stmt) -> None:
        obj, name = call.args[0], call.args[1]
        root = self.root(obj)
        if root is None or not self.import_bound(root.id):
            return
        dotted = self.qualify(obj)
        if dotted is None:
            return
        attr = _const_str(name)
        full = f"{dotted}.{attr}" if attr else dotted
        if full in CAPTURED_STREAMS or attr in CTYPES_PROTOTYPE:
            return
        target = _dotted_target(full, self) if attr else ("attr", dotted)
        if target[0] == "attr" and self.below_import(obj, dotted):
            return  # setattr(flask.g, "x", 1): an attribute of an object, not of a module
        delete = qual == "delattr"
        value = call.args[2] if len(call.args) >= 3 else None
        restoring = delete or self.saved_value(value, "attr")
        shown = f"{self.text(obj)}.{attr}" if attr else f"{self.text(obj)}.<{self.text(name)}>"
        what, advice = _describe_attr(target, shown, delete, self.text(obj), attr, root.id)
        call_text, attr_full = "", ""
        if stmt is not None and not call.keywords and target[0] == "attr":
            if delete and len(call.args) == 2:
                call_text = f".delattr({self.text(obj)}, {self.text(name)})"
            elif not delete and len(call.args) == 3:
                call_text = f".setattr({self.text(obj)}, {self.text(name)}, {self.text(call.args[2])})"
                attr_full = full if attr else ""
        self.emit(
            self.event(target, call, what, advice, restoring=restoring, deletes=delete, call=call_text,
                       stmt=stmt if call_text else None, attr=attr_full,
                       assign=not delete and len(call.args) == 3 and attr is not None),
            st,
        )  # fmt: skip

    # assignment targets ---------------------------------------------------------------------------
    def target(self, target: ast.expr, value: ast.expr | None, action: str, stmt, st: _State) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.target(elt, None, action, None, st)
            return
        if isinstance(target, ast.Starred):
            return self.target(target.value, None, action, None, st)
        if isinstance(target, ast.Subscript):
            return self.subscript_write(target, value, action, stmt, st)
        if isinstance(target, ast.Attribute):
            return self.attribute_write(target, value, action, stmt, st)
        if isinstance(target, ast.Name) and target.id in self.declared_global:
            if not self.names.read_elsewhere(target.id, self.fn):
                return  # only this function reads it: no other test can see the change
            restoring = action == "del" or self.saved_value(value, "global")
            self.emit(
                self.event(
                    ("global", target.id), stmt or target, f"rebinds module global '{target.id}'",
                    "set it back after yield or in a finally block, or use {mp}.setattr() on the module",
                    restoring=restoring, deletes=action == "del", assign=action == "set",
                ),
                st,
            )  # fmt: skip

    def subscript_write(self, target: ast.Subscript, value, action: str, stmt, st: _State) -> None:
        container = target.value
        family = self.family_of(container)
        node = stmt or target
        if family is None:
            extra = self.extra_for(self.qualify(container))
            if extra is not None:
                restoring = action == "del" or self.saved_value(value, "extra")
                self.emit(self.event(("extra", extra), node, f"changes '{extra}'", "set it back after yield or in a finally block",
                                     restoring=restoring, deletes=action == "del"), st)  # fmt: skip
            elif st.in_finally or (self.yield_pos is not None and _pos(node) > self.yield_pos):
                # ``mod.handlers[:] = saved`` after yield: puts ``mod.handlers`` back
                root = self.root(container)
                dotted = self.qualify(container) if isinstance(container, ast.Attribute) else None
                if root is not None and dotted is not None and self.import_bound(root.id):
                    self.restore(_dotted_target(dotted, self), node, st)
            return
        fam, dotted = family
        is_slice = isinstance(target.slice, ast.Slice)
        key, shown = (None, "") if is_slice or fam not in _KEYED else self.key_of(target.slice)
        restoring = action == "del" or self.saved_value(value, fam)
        obj = self.text(container)
        call_text = ""
        if stmt is not None and action != "aug" and not is_slice:
            k = self.text(target.slice)
            if fam == "env" and dotted == "os.environ":
                call_text = f".delenv({k})" if action == "del" else f".setenv({k}, {self.text(value)})"
            elif fam in ("sysmodules", "rcparams"):
                call_text = f".delitem({obj}, {k})" if action == "del" else f".setitem({obj}, {k}, {self.text(value)})"
        what, advice = _describe(fam, action, key, shown, dotted, obj)
        self.emit(
            self.event((fam, key) if fam in _KEYED else (fam, None), node, what, advice, restoring=restoring, deletes=action == "del",
                       call=call_text, stmt=stmt if call_text else None),
            st,
        )  # fmt: skip

    def attribute_write(self, target: ast.Attribute, value, action: str, stmt, st: _State) -> None:
        root = self.root(target)
        if root is None or not self.import_bound(root.id):
            return
        dotted = self.qualify(target)
        if dotted is None:
            return
        if dotted in CAPTURED_STREAMS or target.attr in CTYPES_PROTOTYPE:
            return
        node = stmt or target
        tgt = _dotted_target(dotted, self)
        if tgt[0] == "attr" and self.below_import(target.value, dotted.rsplit(".", 1)[0]):
            return  # flask.g.foo = 1: an attribute of an object reached through a module, not of a module
        obj_text = self.text(target.value)
        restoring = action == "del" or self.saved_value(value, tgt[0])
        call_text, attr_full = "", ""
        if tgt[0] in STATE_FAMILIES_REBIND:
            what = f"rebinds {dotted}" if action == "set" else f"changes {dotted}"
            _, advice = _describe(tgt[0], "set", None, "", dotted, dotted)
            if tgt[0] == "argv" and action == "set" and stmt is not None:
                call_text = f'.setattr({obj_text}, "argv", {self.text(value)})'
                advice = 'use {mp}.setattr(sys, "argv", [...])'
        else:
            what, advice = _describe_attr(tgt, self.text(target), action == "del", obj_text, target.attr, root.id)
            if tgt[0] == "attr" and stmt is not None and action != "aug":
                if action == "del":
                    call_text = f'.delattr({obj_text}, "{target.attr}")'
                else:
                    call_text = f'.setattr({obj_text}, "{target.attr}", {self.text(value)})'
                    attr_full = dotted
        self.emit(
            self.event(tgt, node, what, advice, restoring=restoring, deletes=action == "del", call=call_text,
                       stmt=stmt if call_text else None, attr=attr_full, assign=action == "set"),
            st,
        )  # fmt: skip

    # what restores -----------------------------------------------------------------------------
    def is_mp_context(self, node: ast.AST) -> bool:
        """``monkeypatch.context()``, ``pytest.MonkeyPatch.context()``, ``MonkeyPatch()``."""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "context":
            inner = func.value
            if isinstance(inner, ast.Name) and inner.id in self.mp_names:
                return True
            return (self.qualify(inner) or "") in MONKEYPATCH_CLASSES
        return (self.qualify(func) or "") in MONKEYPATCH_CLASSES

    def monkeypatch_targets(self, method: str, call: ast.Call) -> list[Target]:
        args = call.args
        if method in ("setenv", "delenv") and args:
            return [("env", self.key_of(args[0])[0])]
        if method == "chdir":
            return [("cwd", None)]
        if method == "syspath_prepend":
            return [("syspath", None)]
        if method in ("setattr", "delattr") and args:
            string = _const_str(args[0])
            if string is not None and "." in string and (len(args) == 1 or (method == "setattr" and len(args) == 2)):
                return [_dotted_target(string, self)]
            if len(args) >= 2:
                dotted = self.qualify(args[0])
                attr = _const_str(args[1])
                if dotted:
                    return [_dotted_target(f"{dotted}.{attr}", self) if attr else ("attr", dotted)]
            return []
        if method in ("setitem", "delitem") and len(args) >= 2:
            family = self.family_of(args[0])
            if family is not None:
                key = self.key_of(args[1])[0] if family[0] in _KEYED else None
                return [(family[0], key)]
            extra = self.extra_for(self.qualify(args[0]))
            if extra:
                return [("extra", extra)]
        return []

    def patch_targets(self, kind: str, call: ast.Call) -> list[Target]:
        args = call.args
        if kind == "patch":
            target = args[0] if args else next((k.value for k in call.keywords if k.arg == "target"), None)
            string = _const_str(target)
            return [_dotted_target(string, self)] if string else []
        if kind == "object" and len(args) >= 2:
            dotted, attr = self.qualify(args[0]), _const_str(args[1])
            if dotted and attr:
                return [_dotted_target(f"{dotted}.{attr}", self)]
            return [("attr", dotted)] if dotted else []
        if kind == "dict":
            target = args[0] if args else next((k.value for k in call.keywords if k.arg == "in_dict"), None)
            if target is None:
                return []
            string = _const_str(target)
            dotted = string if string is not None else self.qualify(target)
            if not dotted:
                return []
            tgt = _dotted_target(dotted, self)
            return [(tgt[0], None) if tgt[0] not in ("attr", "extra") else tgt]
        if kind == "multiple" and args:
            dotted = _const_str(args[0]) or self.qualify(args[0])
            if dotted:
                return [_dotted_target(f"{dotted}.{k.arg}", self) for k in call.keywords if k.arg]
        return []

    def context_targets(self, expr: ast.expr) -> list[Target]:
        if not isinstance(expr, ast.Call):
            return []
        qual = self.qualify(expr.func) or ""
        kind = _patch_kind(qual)
        if kind is not None:
            return self.patch_targets(kind, expr)
        family = RESTORING_CONTEXTS.get(qual)
        if family is not None:
            return [(family, None)]
        if qual.rsplit(".", 1)[-1] in DJANGO_SETTINGS_OVERRIDES:
            return [("attr", "django.conf.settings")]
        if (
            isinstance(expr.func, ast.Attribute)
            and expr.func.attr in ("settings", "modify_settings")
            and isinstance(expr.func.value, ast.Name)
            and expr.func.value.id in ("self", "cls")
        ):
            return [("attr", "django.conf.settings")]  # django's SimpleTestCase.settings(): override_settings
        if isinstance(expr.func, ast.Name) and expr.func.id in self.ctx.module_functions and self.depth < 2:
            return self.helper_context(self.ctx.module_functions[expr.func.id], expr)
        last = qual.rsplit(".", 1)[-1] if qual else (expr.func.attr if isinstance(expr.func, ast.Attribute) else "")
        if last in ("swap_attr", "swap_item") and len(expr.args) >= 2:  # test.support
            kind = "object" if last == "swap_attr" else "dict"
            targets = self.patch_targets(kind, expr)
            if last == "swap_item":
                family = self.family_of(expr.args[0])
                if family is not None:
                    return [(family[0], self.key_of(expr.args[1])[0] if family[0] in _KEYED else None)]
            return targets
        words = set(last.lower().split("_"))
        if "cwd" in words or last in ("chdir", "pushd", "working_directory", "cd", "in_dir", "change_dir"):
            return [("cwd", None)]  # contextlib.chdir, test.support's change_cwd, temp_cwd, ...
        if words & {"environ", "env", "environment"} and "copy" not in words:
            return [("env", None)]  # modified_environ(...), EnvironmentVarGuard(), ...
        if "environmentvarguard" in words:
            return [("env", None)]
        if isinstance(expr.func, ast.Attribute):
            if expr.func.attr == "as_cwd":
                return [("cwd", None)]
            if expr.func.attr == "at_level":
                logger = next((k.value for k in expr.keywords if k.arg == "logger"), None)
                if logger is None and len(expr.args) >= 2:
                    logger = expr.args[1]
                return [("loglevel", "" if logger is None else _const_str(logger))]
        return []

    def helper_context(self, helper: FunctionNode, call: ast.Call) -> list[Target]:
        """What a ``@contextmanager`` function of this module puts back when its block ends."""
        if not any(
            (self.ctx.qualify(d.func if isinstance(d, ast.Call) else d) or "") in CONTEXTMANAGER_DECORATORS
            for d in helper.decorator_list
        ):
            return []
        cached = self.names.cm_cache.get(helper.name)
        if cached is None:
            scan = _Scan(self.names, helper, self.depth + 1).run()
            restores = list(scan.teardown_protect) + [
                e.target for e in scan.events if e.after_yield or e.in_finally or e.anywhere or e.before
            ]
            # ``setattr(obj, name, old)`` / ``delattr(obj, name)`` on a parameter after the yield:
            # the object the caller passes is put back
            positions = [a.arg for a in helper.args.posonlyargs + helper.args.args]
            touched: list[str] = []
            for node in _walk_own(helper):
                if scan.yield_pos is None or _pos(node) <= scan.yield_pos:
                    continue
                obj = None
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("setattr", "delattr")
                ):
                    obj = node.args[0] if node.args else None
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    obj = node.value
                if isinstance(obj, ast.Name) and obj.id in positions:
                    touched.append(obj.id)
            cached = (restores, touched)
            self.names.cm_cache[helper.name] = cached
        restores, touched = cached
        found = list(restores)
        positions = [a.arg for a in helper.args.posonlyargs + helper.args.args]
        for name in touched:
            index = positions.index(name)
            arg = (
                call.args[index]
                if index < len(call.args)
                else next((k.value for k in call.keywords if k.arg == name), None)
            )
            dotted = self.qualify(arg) if arg is not None else None
            if dotted:
                found.append(_dotted_target(dotted, self))
        return found

    def decorator_targets(self, decorators: list[ast.expr]) -> list[Target]:
        found: list[Target] = []
        for dec in decorators:
            if isinstance(dec, ast.Call):
                qual = self.qualify(dec.func) or ""
                kind = _patch_kind(qual)
                if kind is not None:
                    found += self.patch_targets(kind, dec)
                elif qual.rsplit(".", 1)[-1] in DJANGO_SETTINGS_OVERRIDES:
                    found.append(("attr", "django.conf.settings"))
        return found


STATE_FAMILIES_REBIND = frozenset({"env", "syspath", "sysmodules", "argv", "rcparams", "warnings"})


def _encloses(stmt: ast.stmt, pos: tuple[int, int]) -> bool:
    start = _pos(stmt)
    end = (getattr(stmt, "end_lineno", 0) or 0, getattr(stmt, "end_col_offset", 0) or 0)
    return start <= pos <= end


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0 and not isinstance(node.value, bool)


def _patch_kind(qual: str) -> str | None:
    """``mock.patch`` -> "patch", ``mock.patch.dict`` -> "dict", ...; None for anything else."""
    parts = qual.split(".")
    if not parts or not qual:
        return None
    if parts[-1] == "patch" and (len(parts) == 1 or _mockish(parts[:-1])):
        return "patch"
    if len(parts) >= 2 and parts[-2] == "patch" and parts[-1] in ("dict", "object", "multiple"):
        if len(parts) == 2 or _mockish(parts[:-2]):
            return parts[-1]
    return None


def _mockish(parts: list[str]) -> bool:
    head = parts[0]
    return head in MOCKER_NAMES or head in ("mock", "unittest", "asynctest", "pytest_mock") or parts[-1] == "mock"


def _dotted_target(dotted: str, scan: _Scan) -> Target:
    """The target a dotted name written to (or patched) stands for."""
    if dotted in STATE_OBJECTS:
        return (STATE_OBJECTS[dotted], None)
    if dotted in CALL_WRITES:  # mock.patch("os.chdir"): the calls write nothing real
        return (CALL_WRITES[dotted], None)
    extra = scan.extra_for(dotted)
    if extra is not None:
        return ("extra", extra)
    return ("attr", dotted)


_FAMILY_TEXT = {
    "syspath": ("changes sys.path", "use {mp}.syspath_prepend(...)"),
    "argv": ("changes sys.argv", 'use {mp}.setattr(sys, "argv", [...])'),
    "cwd": ("changes the working directory", "use {mp}.chdir(...)"),
    "umask": ("changes the process umask", "save the old mask (old = os.umask(...)) and set it back after yield or in a finally block"),
    "rcparams": ("changes matplotlib.rcParams", "use {mp}.setitem(matplotlib.rcParams, ...) or matplotlib.rc_context()"),
    "locale": ("changes the process locale", "save locale.setlocale(category) and set it back after yield or in a finally block"),
    "sockettimeout": ("changes the default socket timeout", "save socket.getdefaulttimeout() and set it back after yield or in a finally block"),
    "logdisable": ("disables logging for the whole process", "call logging.disable(logging.NOTSET) after yield or in a finally block"),
    "warnings": ("changes the warnings filters", "use warnings.catch_warnings() or @pytest.mark.filterwarnings"),
}  # fmt: skip


def _describe(fam: str, action: str, key: str | None, shown: str, dotted: str, obj: str) -> tuple[str, str]:
    if fam == "env":
        name = shown or "a variable"
        if action == "del":
            return f"deletes environment variable {name}", "use {mp}.delenv(" + (f'"{key}"' if key else "...") + ")"
        return f"sets environment variable {name}", "use {mp}.setenv(" + (f'"{key}", ...' if key else "...") + ")"
    if fam == "sysmodules":
        entry = f"sys.modules[{shown}]" if shown else "sys.modules"
        verb = "deletes" if action == "del" else "changes"
        how = "use {mp}.delitem(sys.modules, ...)" if action == "del" else "use {mp}.setitem(sys.modules, ...)"
        return f"{verb} {entry}", how
    if fam == "rcparams" and shown:
        return f"changes matplotlib rcParams[{shown}]", "use {mp}.setitem(" + (
            obj or "matplotlib.rcParams"
        ) + ", ...) or matplotlib.rc_context()"
    return _FAMILY_TEXT.get(fam, (f"changes {dotted}", "set it back after yield or in a finally block"))


def _describe_attr(target: Target, shown: str, delete: bool, obj: str, attr: str | None, root: str) -> tuple[str, str]:
    if target[0] == "extra":
        return (
            f"changes '{shown}' ({target[1]} is a declared global target)",
            "use {mp}.setattr(...), or set it back after yield or in a finally block",
        )
    kind = "class attribute" if root[:1].isupper() and "." not in shown.split(".", 1)[-1] else "module attribute"
    verb = "deletes" if delete else "sets"
    attr_text = f'"{attr}"' if attr else "..."
    how = f"use {{mp}}.delattr({obj}, {attr_text})" if delete else f"use {{mp}}.setattr({obj}, {attr_text}, ...)"
    return f"{verb} {kind} '{shown}'", how


# --------------------------------------------------------------------------------------------
# deciding what is restored in one function


def _restored(write: Event, events: list[Event], scope_restores: list[Target]) -> bool:
    if write.protected or any(covers(t, write.target) for t in scope_restores):
        return True
    for other in events:
        if other is write or not covers(other.target, write.target):
            continue
        if other.anywhere:
            return True
        if other.before and other.pos < write.pos:
            return True
        if other.pos > write.pos and not other.before and (other.in_finally or other.after_yield or other.restoring):
            return True
    return False


def _undoes_earlier(write: Event, events: list[Event]) -> bool:
    """A restoring write that puts back something written before it is cleanup, not a leak."""
    if not write.restoring:
        return False
    return any(
        other.write and other is not write and other.pos < write.pos and covers(write.target, other.target)
        for other in events
    )


def _reassigned(events: list[Event]) -> set[Target]:
    """Attributes and module globals assigned more than once before any yield: the last assignment
    puts the value back (``_config.flag = False`` ... ``_config.flag = True``), so none of them is
    reported. Items of os.environ / sys.modules are not: their usual default is absence, so a second
    value is no restoration."""
    seen: set[Target] = set()
    again: set[Target] = set()
    for e in events:
        if not e.write or not e.assign or e.after_yield or e.in_finally:
            continue
        if e.target[0] in ("attr", "global") and e.target[1] is not None:  # not "extra": one target, many names
            (again if e.target in seen else seen).add(e.target)
    return again


@dataclass(slots=True)
class _Pending:
    diagnostic: Diagnostic
    owner: str  # "test" | "fixture" | "setup" (xunit/unittest) | "body" (collection) | "helper"
    qualname: str
    cls: str | None
    target: Target
    requests: tuple[str, ...] = ()  # fixture names the owner requests (parameters, usefixtures)
    sessionwide: bool = False  # a session-scoped autouse fixture of a conftest: order-dependent only
    # when tests outside the conftest's directory exist (settled across files)


@dataclass(slots=True)
class _Extra:
    """An owner beyond fixtures and tests: an xunit/unittest setup, a class or module body run at
    collection, a ``@contextmanager`` helper."""

    kind: str  # "setup" | "body" | "helper"
    label: str  # "setup_module 'setup_module'", "module body", "class body of 'TestX'", ...
    scope: str  # "module" | "class" | "function" | ""
    restores: list  # targets its teardowns put back


def check_file(ctx: FileContext) -> None:
    names = _FileNames(ctx)
    names.loggers = _module_loggers(ctx, names)
    module_teardown = _xunit_module_restores(ctx, names)
    class_teardown: dict[str, list[Target]] = {}
    pending: list[_Pending] = []
    restores: dict[str, tuple] = {}
    prefilter = _Prefilter(ctx, names)
    owners: list[tuple[Function, _Extra | None]] = [
        (fn, None) for fn in ctx.functions if fn.fixture is not None or fn.test is not None
    ]
    owners += _collection_owners(ctx, names, module_teardown)
    for fn, extra in owners:
        if not prefilter.writes(fn.node) and (fn.fixture is None or not prefilter.restores(fn.node)):
            continue  # nothing in it can write (or, for a fixture, restore) global state
        scan = _Scan(names, fn.node).run()
        if fn.fixture is not None:
            restores[fn.qualname] = _fixture_restores(scan, fn)
        sessionwide = fn.fixture is not None and fn.fixture.autouse and fn.fixture.scope == "session"
        if _forked(ctx, fn) or (sessionwide and not _subdir_conftest(ctx)):
            continue  # a child process; or session-wide setup that every test it applies to sees
        scope_restores = list(scan.decorator_targets(fn.node.decorator_list))
        for node in names.class_chain(fn.cls):
            scope_restores += scan.decorator_targets(node.decorator_list)
        if extra is not None:
            scope_restores += extra.restores
        if fn.test is not None:
            scope_restores += module_teardown
            if fn.cls:
                if fn.cls not in class_teardown:
                    class_teardown[fn.cls] = _xunit_class_restores(names, fn.cls)
                scope_restores += class_teardown[fn.cls]
        for param in scan.params:
            scope_restores += BUILTIN_RESTORES.get(param, ())
        reassigned = _reassigned(scan.events)
        leaks = [
            e for e in scan.events
            if e.write and not e.after_yield and not e.in_finally and not (e.restoring and not e.deletes)
            and e.target not in reassigned
            and not _restored(e, scan.events, scope_restores) and not _undoes_earlier(e, scan.events)
            and not (extra is not None and extra.kind == "setup" and e.target[0] == "global")
        ]  # fmt: skip
        # (a setup rebinding its own module's global, ``global _saved; _saved = ...``: the same for
        # every test that sees it, whatever the order)
        if not leaks:
            continue
        wrap_op = _wrap_op(ctx, fn, scan, leaks)
        mp_ops = _monkeypatch_ops(ctx, fn, scan, leaks, names) if extra is None else {}
        cleanup_ops = _cleanup_ops(ctx, fn, scan, leaks, names, extra)
        for event in leaks:
            diagnostic = _diagnostic(ctx, fn, event, wrap_op, mp_ops, extra, cleanup_ops)
            owner = "test" if fn.test is not None else "fixture" if extra is None else extra.kind
            requests = _requests(ctx, fn) if extra is None else ()
            pending.append(_Pending(diagnostic, owner, fn.qualname, fn.cls, event.target, requests, sessionwide))
    if pending or restores:
        rule_data = _rule_data(ctx)
        if rule_data is not None:
            rule_data[CODE] = {"pending": pending, "restores": restores}
        else:  # no place for cross-file facts: report what this file shows
            for item in pending:
                ctx.facts.diagnostics.append(item.diagnostic)


def _subdir_conftest(ctx: FileContext) -> bool:
    """A conftest.py below the project root: its session-autouse fixtures start with the first test
    of its directory (the project step checks that tests elsewhere exist)."""
    return os.path.basename(ctx.path) == "conftest.py"


def _collection_owners(ctx: FileContext, names: _FileNames, module_teardown: list[Target]) -> list:
    """xunit/unittest setups, class and module bodies of test modules, ``@contextmanager`` helpers."""
    from sessionlint import collection

    found: list[tuple[Function, _Extra]] = []
    base = os.path.basename(ctx.path)
    is_test_module = base != "conftest.py" and bool(getattr(ctx.settings, "is_test_file", lambda p: False)(ctx.path))
    if is_test_module:
        for setup in collection.module_setups(ctx):
            found.append((Function(setup.node, None), _Extra("setup", f"{setup.name}()", setup.scope, module_teardown)))
        body = collection.body_function(ctx.tree.body, "<module>", ctx.tree)
        if body is not None:
            found.append((Function(body, None), _Extra("body", "module body", "", [])))
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.ClassDef):
                body = collection.body_function(stmt.body, f"<class {stmt.name}>", stmt)
                if body is not None:
                    found.append((Function(body, None), _Extra("body", f"class body of '{stmt.name}'", "", [])))
        for cls, node in collection.test_classes(ctx):
            teardown = list(module_teardown)
            for chain in names.class_chain(cls):
                for fn in collection.class_teardowns(chain):
                    teardown += _targets_written(names, fn)
            for setup in collection.class_setups(ctx, node, cls):
                found.append((Function(setup.node, cls), _Extra("setup", f"{setup.name}()", setup.scope, teardown)))
    if base != "conftest.py":
        for name, fn in ctx.module_functions.items():
            if name == fn.name and any(
                (ctx.qualify(d.func if isinstance(d, ast.Call) else d) or "") in CONTEXTMANAGER_DECORATORS
                for d in fn.decorator_list
            ):
                found.append((Function(fn, None), _Extra("helper", f"context manager '{name}'", "", [])))
    return found


# Plain substrings (found with str.find: far faster than one big alternation) that mark a line
# that may write global state; over-matching only costs a scan.
_WRITE_WORDS = (
    "environ", "putenv", "unsetenv", "chdir", "umask", "global ", "setattr", "delattr", "rcParams", ".rc(",
    ".use(", "setlocale", "setdefaulttimeout", ".disable(", "setLevel", "importorskip", "import_module",
    "getLogger",
)  # fmt: skip
_SYS_RE = re.compile(r"sys\s*\.\s*(?:path|modules|argv)\b")
# ``name.attr = ...`` (name checked against the imports), or a ``del`` statement
_WRITE_RE = re.compile(
    r"^[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]*\.[\w. \t]+(?:[-+*/|&^%@]|//|\*\*|<<|>>)?=(?!=)"
    r"|^[ \t]*del\b(?P<dels>[^\n]*)",
    re.MULTILINE,
)
_DEL_NAMES_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\.")
_RESTORE_RE = re.compile(
    r"monkeypatch|MonkeyPatch|\bmp\b|patch|\bwith\b|addfinalizer|addCleanup|callback|undo|restore|pytester|testdir"
)
_NEWLINE_RE = re.compile(r"\r\n?|\n")


class _Prefilter:
    """Which functions can write (or, for fixtures, restore) global state at all, judged from the
    file's text with one pass of a compiled expression: the others are not scanned."""

    def __init__(self, ctx: FileContext, names: _FileNames) -> None:
        self.text = text = ctx.text
        self.starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(text)]
        bound = set(names.aliases)
        hits: list[int] = []
        for word in _WRITE_WORDS:
            index = text.find(word)
            while index >= 0:
                hits.append(index)
                index = text.find(word, index + 1)
        hits += [m.start() for m in _SYS_RE.finditer(text)]
        for match in _WRITE_RE.finditer(text):
            name, dels = match.group("name"), match.group("dels")
            if (name is not None and name in bound) or (
                dels is not None and any(n in bound for n in _DEL_NAMES_RE.findall(dels))
            ):
                hits.append(match.start())
        words = [re.escape(e.rsplit(".", 1)[-1]) for e in names.extras]
        if names.warnings:
            words += ["simplefilter", "filterwarnings", "filters"]
        # ``from os import chdir`` / ``from os import environ``: the bare names write too
        words += [
            rf"\b{re.escape(n)}\b"
            for n, q in names.aliases.items()
            if q in CALL_WRITES or q in RESET_CALLS or q in STATE_OBJECTS
        ]
        if words:
            hits += [m.start() for m in re.finditer("|".join(words), text)]
        self.hits = sorted(hits)

    def _range(self, node: FunctionNode) -> tuple[int, int]:
        first = node.lineno - 1
        last = node.end_lineno or node.lineno
        start = self.starts[first] if first < len(self.starts) else len(self.text)
        end = self.starts[last] if last < len(self.starts) else len(self.text)
        return start, end

    def writes(self, node: FunctionNode) -> bool:
        start, end = self._range(node)
        index = bisect_left(self.hits, start)
        return index < len(self.hits) and self.hits[index] < end

    def restores(self, node: FunctionNode) -> bool:
        start, end = self._range(node)
        return _RESTORE_RE.search(self.text, start, end) is not None


def _requests(ctx: FileContext, fn: Function) -> tuple[str, ...]:
    if fn.fixture is not None:
        return tuple(fn.fixture.args)
    assert fn.test is not None
    names = list(fn.test.args) + list(fn.test.usefixtures)
    if fn.cls:
        for prefix in _class_prefixes(fn.cls):
            names += list(ctx.facts.class_usefixtures.get(prefix, ()))
    return tuple(dict.fromkeys(names))


def _rule_data(ctx: FileContext) -> dict | None:
    data = getattr(ctx.facts, "rule_data", None)
    return data if isinstance(data, dict) else None


def _forked(ctx: FileContext, fn: Function) -> bool:
    for dec in fn.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if (ctx.qualify(target) or "").endswith("mark.forked"):
            return True
    return False


def _module_loggers(ctx: FileContext, names: _FileNames) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = stmt.value
            if isinstance(value, ast.Call) and ctx.qualify(value.func) == "logging.getLogger":
                arg = value.args[0] if value.args else None
                if arg is None or (isinstance(arg, ast.Constant) and arg.value in (None, "", "root")):
                    found[stmt.targets[0].id] = ""
                else:
                    found[stmt.targets[0].id] = _const_str(arg)
            elif ctx.qualify(value) == "logging.root":
                found[stmt.targets[0].id] = ""
    return found


def _targets_written(names: _FileNames, fn: FunctionNode) -> list[Target]:
    scan = _Scan(names, fn, depth=1).run()
    return [e.target for e in scan.events]


def _xunit_module_restores(ctx: FileContext, names: _FileNames) -> list[Target]:
    found: list[Target] = []
    for name, fn in ctx.module_functions.items():
        if name in XUNIT_TEARDOWN_FUNCTIONS:
            found += _targets_written(names, fn)
    return found


def _xunit_class_restores(names: _FileNames, cls: str) -> list[Target]:
    found: list[Target] = []
    for node in names.class_chain(cls):
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if stmt.name in XUNIT_TEARDOWN_METHODS:
                found += _targets_written(names, stmt)
            elif stmt.name in XUNIT_SETUP_METHODS:
                # setUp registering the undo: self.addCleanup(setattr, mod, "X", mod.X), enter_context(...)
                found += [e.target for e in _Scan(names, stmt, depth=1).run().events if not e.write]
    return found


def _fixture_restores(scan: _Scan, fn: Function) -> tuple:
    """What a fixture's teardown (or its monkeypatch/mocker calls) puts back for the tests that use it."""
    found: list[Target] = list(scan.teardown_protect)
    for event in scan.events:
        if event.after_yield or event.anywhere or event.before:
            found.append(event.target)
    for param in scan.params:
        found += BUILTIN_RESTORES.get(param, ())
    return tuple(dict.fromkeys(found))


# --------------------------------------------------------------------------------------------
# diagnostics and fixes


def _cleanup_ops(ctx: FileContext, fn: Function, scan: _Scan, leaks: list[Event], names: _FileNames, extra) -> dict:
    """Fixes for writes in unittest methods and xunit module setups, keyed by ``id(event)``; the marker
    key ``"unittest"`` says the owner is a unittest method (where monkeypatch cannot be requested).

    - a unittest test or ``setUp``: ``self.addCleanup(...)`` registered just before the write (stdlib
      only, any Python): safe for os.environ items and os.chdir, unsafe for attributes (the saved
      value is read before the write: an attribute that does not exist yet raises);
    - ``setup_module``: becomes a module-scoped autouse fixture whose writes go through
      ``pytest.MonkeyPatch.context()``: unsafe (it now runs among the fixtures, in their order).
    """
    found: dict = {}
    in_unittest = bool(fn.cls) and any(c in names.unittest_classes for c in _class_prefixes(fn.cls or ""))
    if in_unittest and (fn.test is not None or (extra is not None and extra.kind == "setup" and extra.scope == "function")):
        found["unittest"] = True
        args = fn.node.args.posonlyargs + fn.node.args.args
        me = args[0].arg if args else None
        if me is None or names.aliases.get("os") != "os":
            return found
        for event in leaks:
            stmt = event.stmt
            if stmt is None:
                continue
            fam, key = event.target
            code, safe = None, True
            if fam == "env" and key is not None and event.call.startswith((".setenv(", ".delenv(")):
                k = f'"{key}"' if key.isprintable() and not any(c in key for c in "\\\"'") else repr(key)
                code = (
                    f"if {k} in os.environ:\n    {me}.addCleanup(os.environ.__setitem__, {k}, os.environ[{k}])\n"
                    f"else:\n    {me}.addCleanup(os.environ.pop, {k}, None)"
                )
            elif fam == "cwd" and event.call.startswith(".chdir("):
                code = f"{me}.addCleanup(os.chdir, os.getcwd())"
            elif fam == "attr" and isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute):
                target = stmt.targets[0]
                obj = names.segment(target.value)
                code, safe = f'{me}.addCleanup(setattr, {obj}, "{target.attr}", {obj}.{target.attr})', False
            if code is None:
                continue
            op = FixOp(ctx.path, "slk301-add-cleanup", (
                ("func", fn.qualname), ("stmt", names.segment(stmt)),
                ("occurrence", str(_occurrence(names, fn.node, stmt))), ("code", code),
            ))  # fmt: skip
            found[id(event)] = Fix("safe" if safe else "unsafe", f"Restore it with {me}.addCleanup(...)", (op,))
        return found
    if extra is not None and extra.kind == "setup" and extra.scope == "module" and fn.cls is None:
        node = fn.node
        fixable = [e for e in leaks if e.call and e.stmt is not None]
        params = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if (
            not fixable or params & used or scan.yield_pos is not None
            or any(isinstance(n, ast.Return) for n in _walk_own(node)) or node.decorator_list
        ):
            return found
        mp = next(name for name in ("mp", "mpatch", "_mp", "_monkeypatch") if name not in used)
        ops = (
            FixOp(ctx.path, "xunit-to-fixture", (("func", fn.qualname), ("scope", "module"))),
            FixOp(ctx.path, "slk301-mp-context", (
                ("func", fn.qualname), ("mp", mp), ("return", "append"), *_rewrite_args(names, node, fixable),
            )),
        )  # fmt: skip
        fix = Fix(
            "unsafe",
            f"Turn {node.name}() into a module-scoped autouse fixture that undoes its changes with "
            "pytest.MonkeyPatch.context()",
            ops,
        )
        for event in fixable:
            found[id(event)] = fix
    return found


def _owner_label(fn: Function) -> str:
    if fn.test is not None:
        return f"test '{fn.node.name}'"
    fixture = fn.fixture
    assert fixture is not None
    if fixture.scope is None:
        return f"fixture '{fixture.name}'"
    return f"fixture '{fixture.name}' ({fixture.scope}-scoped)"


def _broad(fn: Function) -> bool:
    return fn.fixture is not None and fn.fixture.scope in BROAD_SCOPES


def _diagnostic(
    ctx: FileContext, fn: Function, event: Event, wrap_op, mp_ops: dict, extra: _Extra | None = None,
    cleanup_ops: dict | None = None,
) -> Diagnostic:
    broad = _broad(fn)
    mp = "mp" if broad else "monkeypatch"
    advice = event.advice.replace("{mp}", mp)
    if broad and "{mp}" in event.advice:
        advice += " inside `with pytest.MonkeyPatch.context() as mp:` around the yield"
    label = _owner_label(fn) if extra is None else extra.label
    if extra is not None and extra.kind == "setup":
        teardown = {"module": "teardown_module()", "class": "teardown_class()"}.get(extra.scope, "the teardown")
        advice = f"undo it in {teardown} or with addCleanup(), or {advice}"
    elif extra is not None and extra.kind == "body":
        advice = "it runs when pytest imports the module; move it into a fixture that restores it"
    if fn.cls and fn.test is not None and cleanup_ops is not None and "unittest" in cleanup_ops:
        advice = "restore it with self.addCleanup(...) or mock.patch"
    message = f"{label} {event.what} and never restores it, so later tests see the change: {advice}"
    fix = None
    if cleanup_ops and id(event) in cleanup_ops:
        fix = cleanup_ops[id(event)]
    elif event.call and event.stmt is not None:
        if broad:
            if wrap_op is not None:
                fix = Fix(
                    "unsafe",
                    "Undo the changes when the fixture ends: wrap its body in pytest.MonkeyPatch.context()",
                    (wrap_op,),
                )
        elif event.unsafe_call in mp_ops:
            method = event.call[1:].split("(", 1)[0]
            fix = Fix(
                "unsafe" if event.unsafe_call else "safe",
                f"Use monkeypatch.{method}() and request the monkeypatch fixture",
                (mp_ops[event.unsafe_call],),
            )
    span = ctx.span(event.node)
    fixture = fn.fixture
    return Diagnostic(
        ctx.path, span.line, span.col, CODE, message, span.end_line, span.end_col, fix,
        fixture=fixture.name if fixture else "", scope=(fixture.scope or "") if fixture else "",
        defined=f"{ctx.path}:{fixture.span.line}" if fixture else "", owner=fn.qualname,
        owner_kind="test" if fn.test is not None else "fixture" if fixture is not None else "",
        target=str(event.target[0]), target_key=str(event.target[1] or ""),
    )  # fmt: skip


def _rewrite_args(names: _FileNames, node: FunctionNode, events: list[Event]) -> list[tuple[str, str]]:
    args: list[tuple[str, str]] = []
    for i, event in enumerate(events):
        assert event.stmt is not None
        args += [
            (f"stmt{i}", names.segment(event.stmt)),
            (f"occurrence{i}", str(_occurrence(names, node, event.stmt))),
            (f"call{i}", event.call),
        ]
        if event.attr:
            args.append((f"attr{i}", event.attr))
    return args


def _monkeypatch_ops(ctx: FileContext, fn: Function, scan: _Scan, leaks: list[Event], names: _FileNames) -> dict:
    """One op per function and applicability, rewriting all its writes of that kind in one go
    (each diagnostic carries the same op: repeated statements are all found by their original text)."""
    if _broad(fn) or not _can_add_monkeypatch(ctx, fn, names, scan):
        return {}
    ops = {}
    for unsafe in (False, True):
        events = [e for e in leaks if e.call and e.stmt is not None and e.unsafe_call == unsafe]
        if events:
            args = [("func", fn.qualname), *_rewrite_args(names, fn.node, events)]
            ops[unsafe] = FixOp(ctx.path, "slk301-monkeypatch", tuple(args))
    return ops


def _can_add_monkeypatch(ctx: FileContext, fn: Function, names: _FileNames, scan: _Scan) -> bool:
    if fn.fixture is not None and fn.fixture.scope != "function":
        return False
    if fn.cls and any(c in names.unittest_classes for c in _class_prefixes(fn.cls)):
        return False
    for dec in fn.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        qual = ctx.qualify(target) or ""
        if qual.split(".")[-1] == "given" or qual.startswith("hypothesis"):
            return False
    if "monkeypatch" in scan.params:
        return True
    if "monkeypatch" in scan.locals or "monkeypatch" in scan.local_imports or "monkeypatch" in names.aliases:
        return False
    return not any(f.name == "monkeypatch" for f in ctx.facts.fixtures)


def _class_prefixes(cls: str) -> list[str]:
    parts = cls.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _occurrence(names: _FileNames, fn: FunctionNode, stmt: ast.stmt) -> int:
    """How many statements of ``fn`` before ``stmt`` read exactly like it."""
    text = _normal(names.segment(stmt))
    count = 0
    for other in _simple_statements(fn.body):
        if other is stmt:
            return count
        if _normal(names.segment(other)) == text:
            count += 1
    return count


def _normal(code: str) -> str:
    return code.strip().rstrip(";").strip()


def _wrap_op(ctx: FileContext, fn: Function, scan: _Scan, leaks: list[Event]) -> FixOp | None:
    """The one op that fixes every fixable write of a broad fixture (identical for all its diagnostics)."""
    if not _broad(fn):
        return None
    fixable = [e for e in leaks if e.call and e.stmt is not None]
    if not fixable:
        return None
    node = fn.node
    returns = [n for n in _walk_own(node) if isinstance(n, ast.Return)]
    convert = ""
    if scan.yield_pos is None:
        last = node.body[-1] if node.body else None
        if not returns:
            convert = "append"  # returns None: yield None at the end
        elif len(returns) != 1 or returns[0] is not last:
            return None  # an early return would become a yield in the middle of the body
        else:
            convert = "1"
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | scan.params
    mp = next(name for name in ("mp", "mpatch", "_mp", "_monkeypatch") if name not in used)
    args: list[tuple[str, str]] = [("func", fn.qualname), ("mp", mp), ("return", convert)]
    args += _rewrite_args(scan.names, node, fixable)
    return FixOp(ctx.path, "slk301-mp-context", tuple(args))


# --------------------------------------------------------------------------------------------
# across files: fixtures a test uses may restore what it writes


def check_project(project: Project, settings: object) -> Iterator[Diagnostic]:
    restores_cache: dict[tuple[str, str], tuple] = {}
    defined: dict[tuple[str, str], bool] = {}
    for path, facts in list(project.facts.items()):
        data = getattr(facts, "rule_data", None)
        if not isinstance(data, dict) or CODE not in data:
            continue
        pending: list[_Pending] = data[CODE]["pending"]
        owners: dict[tuple[str, str], list[Target]] = {}
        for item in pending:
            if item.cls and not collection.collected(project, path, item.cls):
                continue  # a class deriving from a first-party class that is no TestCase after all
            if item.sessionwide and not _tests_elsewhere(project, path):
                continue
            key = (item.owner, item.qualname)
            if key not in owners:
                owners[key] = _used_restores(project, facts, item, restores_cache)
            if any(covers(t, item.target) for t in owners[key]):
                continue
            yield _settle_fix(project, path, item.diagnostic, defined)


def _tests_elsewhere(project: Project, conftest: str) -> bool:
    """Whether linted test modules outside ``conftest``'s directory share its project root (only the
    linted files count: never a walk above them)."""
    directory = os.path.join(os.path.dirname(conftest), "")
    root = os.path.join(project.root_of(conftest), "")
    return any(
        p.startswith(root) and not p.startswith(directory) and os.path.basename(p) != "conftest.py"
        and bool(project.facts[p].test_requests)
        for p in project.facts
    )


def _settle_fix(project: Project, path: str, diagnostic: Diagnostic, defined: dict) -> Diagnostic:
    """``monkeypatch.setattr`` raises for an attribute that does not exist yet, where the plain
    assignment created it: keep the plain call only when the attribute is defined in the project's
    source, else add ``raising=False``."""
    fix = diagnostic.fix
    if fix is None or not any(k == "attr" or k.startswith("attr") for op in fix.ops for k, _ in op.args):
        return diagnostic
    ops = []
    for op in fix.ops:
        args = dict(op.args)
        new = []
        for k, v in op.args:
            if k.startswith("call"):
                dotted = args.get("attr" + k[4:], "")
                if dotted:
                    key = (path, dotted)
                    if key not in defined:
                        defined[key] = _attr_defined(project, path, dotted, defined)
                    if not defined[key] and v.endswith(")"):
                        v = v[:-1] + ", raising=False)"
            new.append((k, v))
        ops.append(replace(op, args=tuple(new)))
    return replace(diagnostic, fix=replace(fix, ops=tuple(ops)))


def _attr_defined(project: Project, path: str, dotted: str, cache: dict) -> bool:
    """Whether the project's source defines ``dotted`` (``app.settings.DEBUG``, ``app.models.User.x``)."""
    level = len(dotted) - len(dotted.lstrip("."))
    parts = dotted.lstrip(".").split(".")
    for i in range(len(parts) - 1, 0 if not level else -1, -1):
        module = ".".join(parts[:i])
        try:
            found = project.find_module(module, path, level)
        except Exception:  # noqa: BLE001 - an odd name is simply not found
            found = None
        if found is None:
            continue
        names = _top_level_names(found, cache)
        if names is None:
            return False
        rest = parts[i:]
        node = names.get(rest[0])
        if node is None:
            return False
        if len(rest) == 1:
            return True
        if isinstance(node, ast.ClassDef) and len(rest) == 2:
            return rest[1] in _block_names(node.body)
        return False
    return False


def _top_level_names(path: str, cache: dict) -> dict[str, ast.AST] | None:
    if path not in cache:
        try:
            with open(path, "rb") as f:
                tree = parse(f.read(), path)
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            cache[path] = None
            return None
        names = _block_names(tree.body)
        if "__getattr__" in names or "*" in names:
            cache[path] = None  # dynamic attributes: cannot tell
        else:
            cache[path] = names
    return cache[path]


def _block_names(body: list[ast.stmt]) -> dict[str, ast.AST]:
    """Names a module or class body binds, guarded (if/try) definitions included."""
    names: dict[str, ast.AST] = {}
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[stmt.name] = stmt
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        names[node.id] = stmt
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                names[(alias.asname or alias.name).split(".")[0]] = stmt
        elif isinstance(stmt, (ast.If, ast.Try, ast.With)):
            inner = (
                list(getattr(stmt, "body", []))
                + list(getattr(stmt, "orelse", []))
                + list(getattr(stmt, "finalbody", []))
            )
            for handler in getattr(stmt, "handlers", []) or []:
                inner += handler.body
            names.update(_block_names(inner))
    return names


def _used_restores(project: Project, facts, item: _Pending, cache: dict) -> list[Target]:
    """What the fixtures ``item``'s owner uses (requested, usefixtures, autouse) put back in teardown."""
    names = list(item.requests)
    requester = None
    if item.owner in ("body", "helper"):
        return []  # runs at import, or wherever a test enters it: no fixture applies
    if item.owner == "fixture":
        requester = next((f for f in facts.fixtures if f.qualname == item.qualname), None)
        if requester is None or requester.scope in BROAD_SCOPES:
            return []
    chain = _visible(project, facts.path, item.cls)
    for name, candidates in chain.items():
        if candidates and candidates[0][0].autouse and candidates[0][0] is not requester:
            names.append(name)
    found: list[Target] = []
    queue: list[tuple[str, object, int]] = [(n, requester, 0) for n in names]
    seen: set[int] = set()
    while queue:
        name, req, depth = queue.pop()
        found += BUILTIN_RESTORES.get(name, ()) if _is_builtin(project, name, facts.path, item.cls, req) else ()
        resolved = project.resolve(name, facts.path, item.cls, requester=req)  # type: ignore[arg-type]
        if resolved is None or resolved.fixture is None or id(resolved.fixture) in seen:
            continue
        fixture = resolved.fixture
        seen.add(id(fixture))
        if fixture.scope in BROAD_SCOPES:
            continue
        key = (resolved.path or "", fixture.qualname)
        if key not in cache:
            other = project.get(resolved.path) if resolved.path else None
            data = getattr(other, "rule_data", None) if other is not None else None
            cache[key] = (
                tuple(data[CODE]["restores"].get(fixture.qualname, ()))
                if isinstance(data, dict) and CODE in data
                else ()
            )
        found += cache[key]
        if depth < 4:
            queue += [(arg, fixture, depth + 1) for arg in fixture.args]
    return found


def _is_builtin(project: Project, name: str, path: str, cls: str | None, requester) -> bool:
    if name not in BUILTIN_RESTORES:
        return False
    resolved = project.resolve(name, path, cls, requester=requester)
    return resolved is not None and resolved.fixture is None


def _visible(project: Project, path: str, cls: str | None) -> dict:
    return project.visible_fixtures(path, cls)
