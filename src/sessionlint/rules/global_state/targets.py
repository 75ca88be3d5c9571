"""SLK301's vocabulary: which objects are process state, which calls write, read and restore it, targets."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from sessionlint.syntax import position

if TYPE_CHECKING:
    from sessionlint.rules.global_state.scan import _Scan

CODE = "SLK301"

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
# process-wide setters called as functions: qualified name -> (family, what it changes, how to undo it).
# Extended by the `extra-global-setters` setting (qualified names; family "setter:<name>").
SETTERS = {
    "numpy.seterr": ("npseterr", "numpy's floating-point error handling", "use `with np.errstate(...)`"),
    "numpy.seterrcall": ("npseterr", "numpy's floating-point error callback", "use `with np.errstate(call=...)`"),
    "numpy.set_printoptions": ("npprint", "numpy's print options", "use `with np.printoptions(...)`"),
    "numpy.core.arrayprint.set_printoptions": ("npprint", "numpy's print options", "use `with np.printoptions(...)`"),
    "numpy.polynomial.set_default_printstyle": (
        "nppolystyle", "numpy.polynomial's default print style",
        "save the style and set it back after yield or in a finally block",
    ),
    "scipy.special.seterr": ("scipyseterr", "scipy.special's error handling", "use `with scipy.special.errstate(...)`"),
    "sys.setrecursionlimit": (
        "recursionlimit", "the recursion limit",
        "save sys.getrecursionlimit() and set it back after yield or in a finally block",
    ),
    "sys.setswitchinterval": (
        "switchinterval", "the thread switch interval",
        "save sys.getswitchinterval() and set it back after yield or in a finally block",
    ),
    "matplotlib.use": ("mplbackend", "matplotlib's backend", "save matplotlib.get_backend() and switch back after yield"),
    "matplotlib.pyplot.switch_backend": (
        "mplbackend", "matplotlib's backend", "save matplotlib.get_backend() and switch back after yield",
    ),
    "decimal.setcontext": ("decimal", "the decimal context", "use `with decimal.localcontext() as ctx:`"),
    "faulthandler.enable": ("faulthandler", "faulthandler for the process", "call faulthandler.disable() after yield or in a finally block"),
    "signal.signal": ("signal", "a signal handler", "save the handler signal.signal() returns and set it back in a finally block"),
    "signal.alarm": ("signalalarm", "a pending SIGALRM", "cancel it with signal.alarm(0) in a finally block"),
}  # fmt: skip
# calls that put a setter's state back
SETTER_RESETS = {
    "faulthandler.disable": "faulthandler",
    "numpy.polynomial.set_default_printstyle": None,  # a setter: restoring only with a saved value
}
# abstract base classes whose ``register`` cannot be undone
ABC_MODULES = ("collections.abc.", "numbers.", "io.", "abc.", "os.PathLike", "typing.")
# words in a line that may call a setter (the fast pre-check of check.py)
SETTER_WORDS = (
    "seterr", "set_printoptions", "set_default_printstyle", "setrecursionlimit", "setswitchinterval",
    "switch_backend", "setcontext", "getcontext", "faulthandler", "signal", "addHandler", ".register(",
)  # fmt: skip
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
    "numpy.seterr": "npseterr",  # the setters return the previous value
    "numpy.geterr": "npseterr",
    "numpy.seterrcall": "npseterr",
    "numpy.geterrcall": "npseterr",
    "numpy.get_printoptions": "npprint",
    "scipy.special.seterr": "scipyseterr",
    "scipy.special.geterr": "scipyseterr",
    "sys.getrecursionlimit": "recursionlimit",
    "sys.getswitchinterval": "switchinterval",
    "matplotlib.get_backend": "mplbackend",
    "decimal.getcontext": "decimal",
    "signal.signal": "signal",
    "signal.getsignal": "signal",
    "faulthandler.is_enabled": "faulthandler",
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
    "numpy.errstate": "npseterr",
    "numpy.printoptions": "npprint",
    "scipy.special.errstate": "scipyseterr",
    "decimal.localcontext": "decimal",
}
DJANGO_SETTINGS_OVERRIDES = frozenset({"override_settings", "modify_settings"})
# objects Django rebuilds when an override changes these settings (its ``setting_changed`` receivers)
_STORAGES = ("django.contrib.staticfiles.storage.staticfiles_storage", "django.core.files.storage.default_storage")
DJANGO_SETTING_RESETS = {"STORAGES": _STORAGES, "STATIC_ROOT": _STORAGES, "STATIC_URL": _STORAGES}


def django_override_targets(call: ast.Call) -> list[Target]:
    """What a Django settings override puts back when it ends: the settings, and the objects Django
    rebuilds when the overridden settings change (``STORAGES`` -> ``staticfiles_storage``)."""
    found: list[Target] = [("attr", "django.conf.settings")]
    for keyword in call.keywords:
        found += [("attr", dotted) for dotted in DJANGO_SETTING_RESETS.get(keyword.arg or "", ())]
    return list(dict.fromkeys(found))
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
# pytest's warnings plugin runs each test in ``warnings.catch_warnings()``, which puts these back too
PYTEST_RESTORED = frozenset({"warnings.showwarning", "warnings._showwarnmsg", "warnings._showwarnmsg_impl"})
# context-local proxies reached through a module: writing to them is not process state
CONTEXT_LOCALS = frozenset(
    {"flask.g", "flask.session", "flask.request", "flask.current_app", "flask.globals.g", "werkzeug.local"}
)
# objects below a module whose attributes SLK301 leaves to its logger vocabulary
QUIET_BELOW = ("logging.",)
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


STATE_FAMILIES_REBIND = frozenset({"env", "syspath", "sysmodules", "argv", "rcparams", "warnings"})


def _encloses(stmt: ast.stmt, pos: tuple[int, int]) -> bool:
    start = position(stmt)
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
