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

from sessionlint.rules.base import Example, Rule
from sessionlint.rules.global_state.targets import CODE

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
- process-wide setters called as functions: `np.seterr`, `np.seterrcall`, `np.set_printoptions`,
  `np.polynomial.set_default_printstyle`, `scipy.special.seterr`, `sys.setrecursionlimit`,
  `sys.setswitchinterval`, `matplotlib.use`, `plt.switch_backend`, `decimal.setcontext`,
  `decimal.getcontext().prec = ...` (any attribute of the context), `faulthandler.enable`,
  `signal.signal`, `signal.alarm`; `addHandler` on `logging.getLogger("name")`/`logging.root`; and
  `ABC.register(cls)` on `collections.abc`, `numbers`, `io` and `abc` classes, which cannot be undone
  (the message says so). Restored by a saved value (`old = np.seterr(...)` ... `np.seterr(**old)`,
  `sys.setrecursionlimit(limit)`, `signal.signal(sig, old)`), `faulthandler.disable()`,
  `removeHandler(...)`, and their context managers (`np.errstate`, `np.printoptions`,
  `scipy.special.errstate`, `decimal.localcontext`);
- attributes of objects kept by an imported module (module-level state of that module):
  `cfg.settings.PORT = 1`, `Pyro4.config.NS_PORT = 1`, `stats.levy_stable.pdf_default_method = "x"`,
  `mpmath.mp.prec = 50` — but not context-local proxies (`flask.g`, `flask.session`, `flask.request`,
  `flask.current_app`), nor logging objects (`logging.root.handlers`: see the logger vocabulary), nor
  objects the test created or got from a fixture (`obj = config.Settings(); obj.PORT = 1`);
- a write put back by a plain later statement after an `assert` (`old = mod.X; mod.X = 1; assert ...;
  mod.X = old`): the restore runs only if the test passes, so a failure leaks the change into every
  later test and cascades. Reported at the write, as "restores it only if the test passes";
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
  `EnvironmentVarGuard`), Django's `override_settings` (also as a decorator; one that overrides
  `STORAGES`, `STATIC_ROOT` or `STATIC_URL` also puts back `staticfiles_storage` and `default_storage`,
  which Django rebuilds when those settings change), a `@contextmanager` function of the same module that restores it after its
  `yield` (also `delattr(obj, name)` on the object passed in), or `stack.enter_context(...)` of any
  of these;
- it is the last statement of a `pytest.raises(...)` / `self.assertRaises(...)` block: the write is
  what is expected to fail;
- the same target is written again later: after `yield`, in a `finally` block, in a nested function
  or lambda (an `addfinalizer`/`addCleanup` callback), by a cleanup registration
  (`request.addfinalizer(os.chdir, old)`, `self.addCleanup(setattr, mod, "X", old)`), by a helper
  function of the same module or a method of the test's class (`self.clearEnv()`) called from the test
  or its teardown, or by a later statement that puts a value back: a
  deletion (`del os.environ["X"]`, `os.environ.pop("X")`, `sys.path.remove(p)`), a value saved before
  (`os.chdir(old)` after `old = os.getcwd()`, `os.environ.update(saved)`), or a reset
  (`matplotlib.rcdefaults()`, `importlib.reload(mod)`, `logging.disable(logging.NOTSET)`);
- an item or slice of the same target is assigned after `yield` or in a `finally` block
  (`mod.handlers[:] = saved`); a logger's handlers set back there (`logging.root.handlers[:] = saved`,
  `logger.handlers = []`) restore handlers added to that logger;
- the write sits in a `with` block whose context manager's name says it saves the environment or the
  working directory (`modified_environ()`, `EnvVars()`, `temp_cwd()`), or a module-level patcher
  (`resetenv = mock.patch.dict(os.environ)`) is stopped (`resetenv.stop()`) in a teardown;
- a module deleted from `sys.modules` is imported again in the same function
  (`importlib.import_module(name)`, `__import__(name)`): the fresh module is back in `sys.modules`;
- the same attribute or module global is assigned again later in the same body (`mod.FLAG = False` ...
  `mod.FLAG = True`): the last assignment is taken as putting the value back, and none of them is
  flagged (not so for items: `os.environ["A"] = "1"` then `= "2"` is still flagged);
- a function of another first-party module called where a restore goes — in a `finally` block, after
  `yield`, as a cleanup callback, or in an xunit teardown (`config.reset()`, `helpers.restore_env()`,
  `from app.config import reset`) — writes the same target: sessionlint follows that one call into the
  project's source (a global the helper rebinds counts as the attribute of its module);
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
(`logging.disable(logging.NOTSET)`, `socket.setdefaulttimeout(None)`, `locale.setlocale(c, "")`), or a
reset to the fresh value the module itself starts with — a constant, an empty display, a call without
arguments (`progress = 0` where the test module binds `progress = 0`, `trans_real._translations = {}`
and `trans_real._active = Local()` where the first-party module binds the same).

Also not flagged, because no other test can see the change:

- a module global (`global X`) that no other function of the module reads before assigning it itself:
  a function that declares `global X` and assigns it first, one that runs `exec(src, globals())` binding
  `X` first, and closures defined inside such a function read their own value;
- a module global that an `autouse` fixture of the same module (of any scope) rebinds;
- `if hasattr(obj, "x"): del obj.x`: dropping a cached value (a `cached_property`) that is recomputed;
- a cache emptied: an attribute whose name says it is a cache (`mod._cache = {}`, `obj.cached_url = None`)
  or a known standard-library cache (`gettext._translations`, `linecache.cache`, `re._cache`,
  `sys.path_importer_cache`) rebound to `None` or an empty container, refilled on its next use;
- a new lower-case attribute of a first-party module that the module never defines (nor provides through
  a module `__getattr__`): its own code cannot read it. UPPER_CASE names stay reported (settings are
  often read with `getattr(settings, "NAME", default)`).
Session-scoped `autouse` fixtures are not flagged: they configure the whole session on purpose, and
every test they apply to sees the same state.

One diagnostic per write, at the write. Module-level code, helpers that are neither tests nor
fixtures, and code under `if __name__ == "__main__":` are not checked.

Not flagged: attribute assignment on local objects and instances (`self.x = ...`, `obj.x = ...` where
`obj` is a parameter or local variable), edits of a copy (`env = os.environ.copy()`), `sys.stdout`,
`sys.stderr` and `sys.stdin` (pytest's capture puts them back after every test, unless run with `-s`),
ctypes prototypes (`func.restype`, `func.argtypes`), warnings filters and `warnings.showwarning` (see
Options: pytest's `catch_warnings()` around every test puts both back), `pd.set_option` (add it to
`extra-global-targets`), handlers of loggers SLK301 cannot name, private `logging.Logger(...)` objects,
`atexit.register` (a callback at exit changes nothing the next test sees; it is read as a cleanup).

The global random state (`random.seed`, `np.random.seed`) is not flagged on purpose: seeding at the
start of a test is the common idiom, every test that depends on the stream seeds it first, and on the
measured corpus (networkx, scikit-learn, numpy) every seeding call was of that kind — reporting them
would have made SLK301 mostly noise. A project that wants them can list them in `extra-global-targets`.

Limits: the analysis reads one function at a time, in source order, following only helpers of the same
module (whose writes count as restorations) and one call into another first-party module made where a
restore goes. When in doubt it stays silent: a helper that restores anything, a restoring context
manager it cannot see into, a lambda that writes the same target, a second assignment of the same
target (even in another branch of an `if`). A first-party helper called as a plain statement after the
asserts is not taken for a restore: the write is reported as "restores it only if the test passes". Each target is named for what it is, looked up in the module that
defines it when that module is first-party: a module attribute, a class attribute, an attribute of a
function, of a `threading.local`, of an instance (`connection`, "an instance of ConnectionProxy"), or
of a module-level object; outside the project (the standard library, installed packages) the kind is
told from one file (a capitalised name is a class). Writes
spread over several statements on one line after a `;` or a `:` are seen, but a function whose only
write is such an attribute assignment may be skipped by the fast pre-check.
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
`["myapp.config.settings", "myapp.registry.REGISTRY", "pandas.set_option"]`. A name of a function is a
global setter: every call of it is flagged (`pandas.set_option`, `random.seed`), the way the built-in
setters above are.

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


from sessionlint.rules.global_state.check import check_file  # noqa: E402 - the checks need RULES' module first
from sessionlint.rules.global_state.names import ImportedModules  # noqa: E402
from sessionlint.rules.global_state.project import check_project  # noqa: E402



def listeners(ctx) -> list[object]:
    """What SLK301 collects during the one walk over a file (see ``rules.file_listeners``)."""
    return [ImportedModules(ctx)]


__all__ = ["CODE", "RULES", "check_file", "check_project", "listeners"]
