"""Runtime guard: a pytest plugin that names the tests which change shared state.

Inactive unless ``--sessionlint-guard[=warn|fail]`` or the ini option
``sessionlint_guard`` turns it on. Once on, it watches what pytest really
shares between tests (docs/guard.md lists it all):

- the value of every broad (class/module/package/session) fixture the
  project defines, and the ``request.param`` object a parametrized fixture
  hands out, fingerprinted around each test;
- values that ``setup_module``/``setup_class``/``setUpClass`` create on the
  module or class (pytest runs them as its own autouse fixtures);
- ``os.environ``, ``sys.path``, the working directory and ``sys.modules``,
  around each test and around each broad fixture's setup (a change made at
  setup is charged to the fixture, once);
- plain-valued attributes of first-party modules and of their module-level
  objects, one level deep.

A test's window runs from after its broad fixtures are set up until its
function-scoped fixtures are torn down (so what they restore is no change),
before any broad fixture is finalized. Findings travel on the teardown report
-- so pytest-xdist workers hand them to the controller -- and are listed in a
"sessionlint guard" terminal section, each with whether sessionlint's static
rules predicted it.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import linecache
import re
import types
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from sessionlint import _guard_caches as _caches
from sessionlint import _guard_watch as _watch

if TYPE_CHECKING:  # the fingerprint module is imported only once the guard is on
    from sessionlint._fingerprint import Fingerprint
    from sessionlint.config import Settings

OPTION: Final = "--sessionlint-guard"
MODES: Final = ("warn", "fail")
_OFF: Final = ("off", "false", "no", "0", "")
_ON: Final = ("true", "yes", "on", "1")
_REPORT_ATTR: Final = "sessionlint_guard"
_NOTES_ATTR: Final = "sessionlint_guard_notes"
MAX_CHANGES_PER_FIXTURE: Final = 5
CACHE_DIR: Final = ".sessionlint_cache"

#: What a finding is about: "fixture" (a broad fixture's value), "param" (a
#: parametrized fixture's ``request.param`` object), "xunit" (a value set up
#: by setup_module/setup_class/setUpClass), "environ", "sys.path", "cwd",
#: "sys.modules", "attr" (an attribute below a first-party module).
Kind = str
#: The SLK301 target family (``Diagnostic.target``) each process kind is.
FAMILIES: Final = {
    "environ": "env",
    "sys.path": "syspath",
    "cwd": "cwd",
    "sys.modules": "sysmodules",
    "attr": "attr",
}


@dataclasses.dataclass(frozen=True)
class GuardFinding:
    """One change to shared state, and the test (or fixture setup) that made it."""

    nodeid: str
    kind: Kind
    fixture: str | None
    scope: str | None
    location: str | None
    detail: str
    phase: str = "test"  # "test", or "setup": made while a broad fixture was set up
    key: str = ""  # what changed within the kind: "['users']", "HOME", "pkg.config.PORT"
    closure: tuple[str, ...] = ()  # the test's fixture names (static comparison)
    unittest: bool = False  # the test is a unittest.TestCase method
    library: str = ""  # the library type whose state changed, when not first-party

    def what(self) -> str:
        if self.kind == "xunit":
            return f"'{self.fixture}' set by {self.scope} ({self.location})"
        if self.kind == "param":
            return f"the param object of fixture '{self.fixture}' ({self.location})"
        return f"{self.scope} fixture '{self.fixture}' ({self.location})"

    def line(self) -> str:
        """The summary line, e.g. ``t.py::test_a mutated session fixture 'x' (c.py:5): ...``."""
        if self.phase == "setup":
            return f"{self.what()} {self.detail} during setup (first needed by {self.nodeid})"
        if self.kind in ("fixture", "param", "xunit"):
            return f"{self.nodeid} mutated {self.what()}: {self.detail}"
        if self.kind == "attr":
            return f"{self.nodeid} changed {self.key}: {self.detail}"
        return f"{self.nodeid} {self.detail}"


FINDINGS_KEY: Final = pytest.StashKey[list[GuardFinding]]()
NOTES_KEY: Final = pytest.StashKey[list[str]]()


def get_findings(config: pytest.Config) -> list[GuardFinding]:
    """Findings collected so far in this run (empty when the guard is off)."""
    return config.stash.get(FINDINGS_KEY, [])


# -- activation --------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sessionlint")
    group.addoption(
        OPTION,
        nargs="?",
        const="warn",
        default=None,
        dest="sessionlint_guard",
        metavar="warn|fail",
        help="report tests that change broad fixture values or process state; "
        "'fail' also fails those tests (default: warn)",
    )
    parser.addini(
        "sessionlint_guard",
        "turn the sessionlint runtime guard on: true/warn, fail, or false",
        default="false",
    )
    parser.addini(
        "sessionlint_guard_opaque",
        "more modules or qualified type names whose objects the guard compares "
        "by identity only, never walking into them",
        type="linelist",
        default=[],
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """Keep a bare ``--sessionlint-guard`` from swallowing the path after it."""
    for index, arg in enumerate(args[:-1]):
        following = args[index + 1]
        if arg == OPTION and following.lower() not in (*MODES, *_OFF, *_ON):
            args[index] = f"{OPTION}=warn"
            namespace = early_config.known_args_namespace
            if getattr(namespace, "sessionlint_guard", None) == following:
                namespace.sessionlint_guard = "warn"
                namespace.file_or_dir = [*getattr(namespace, "file_or_dir", []), following]


def pytest_configure(config: pytest.Config) -> None:
    mode = guard_mode(config)
    if mode is not None:
        settings = _load_settings(config.rootpath)
        config.stash[FINDINGS_KEY] = []
        config.stash[NOTES_KEY] = []
        config.pluginmanager.register(Guard(config, mode, settings), "sessionlint-guard")


def _load_settings(rootpath: Path) -> Settings | None:
    """The project's ``[tool.sessionlint]`` settings, read once; a bad one is a usage error."""
    try:
        from sessionlint import config as sl_config
    except Exception:  # noqa: BLE001 - the guard works without the linter
        return None
    try:
        return sl_config.resolve(str(rootpath))[0]
    except sl_config.ConfigError as exc:
        raise pytest.UsageError(f"sessionlint guard: {exc}") from None


def guard_mode(config: pytest.Config) -> str | None:
    """``"warn"``, ``"fail"`` or None (off), from the command line or the ini file."""
    value = config.getoption("sessionlint_guard")
    source = OPTION
    if value is None:
        value, source = str(config.getini("sessionlint_guard")), "sessionlint_guard (ini)"
    choice = str(value).strip().lower()
    if choice in _OFF:
        return None
    if choice in _ON:
        return "warn"
    if choice in MODES:
        return choice
    raise pytest.UsageError(f"{source}: expected warn, fail, true or false, got {value!r}")


# -- process state (see _guard_watch) ----------------------------------------------

ProcessState = _watch.ProcessState
IGNORED_ENVIRON = _watch.IGNORED_ENVIRON


def process_changes(before: ProcessState, after: ProcessState) -> list[tuple[str, str]]:
    """(kind, detail) for every difference, environment first."""
    return [(kind, detail) for kind, detail, _ in _watch.process_changes(before, after)]


# -- fixture locations -----------------------------------------------------------


_INSTALLED: Final = frozenset({"site-packages", "dist-packages"})


def project_fixture_location(fixturedef: pytest.FixtureDef[Any], rootpath: Path) -> str | None:
    """``path:line`` (relative to `rootpath`) of the fixture's ``def`` line.

    None for fixtures the project does not define -- pytest's own and installed
    plugins' (``tmp_path_factory``, ``pytestconfig``, ...) are stateful by design.
    """
    return function_location(fixturedef.func, rootpath)


def function_location(func: object, rootpath: Path) -> str | None:
    """``path:line`` of a project function's ``def`` line; None outside the project."""
    func = getattr(func, "__func__", func)
    try:
        func = inspect.unwrap(func)  # type: ignore[arg-type]
    except ValueError:  # a __wrapped__ cycle
        pass
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    path = Path(code.co_filename).resolve()
    try:
        relative = path.relative_to(rootpath.resolve())
    except ValueError:
        return None
    if _INSTALLED.intersection(relative.parts):
        return None
    line = _def_line(code.co_filename, code.co_firstlineno, code.co_name)
    return f"{relative.as_posix()}:{line}"


def _def_line(filename: str, first: int, name: str) -> int:
    """The line of ``def name`` at or after `first` (which may be a decorator line)."""
    pattern = re.compile(rf"\s*(async\s+)?def\s+{re.escape(name)}\b")
    lines = linecache.getlines(filename)
    for number in range(first, min(first + 100, len(lines) + 1)):
        if pattern.match(lines[number - 1]):
            return number
    return first


# -- the plugin ----------------------------------------------------------------

#: pytest's own autouse fixtures that run xunit/unittest setup: name prefix ->
#: (what they set up, setup method names, scope of the state).
_XUNIT: Final = (
    ("_xunit_setup_module_fixture_", "module", ("setup_module", "setUpModule", "setup")),
    ("_xunit_setup_class_fixture_", "class", ("setup_class",)),
    ("_unittest_setUpClass_fixture_", "class", ("setUpClass",)),
)


@dataclasses.dataclass
class _Watched:
    """A live shared value and its latest fingerprint.

    `getter`, when set, reads the value anew each time (a module global or a
    class attribute, which a test may rebind as well as mutate).
    """

    name: str
    scope: str
    location: str
    value: object
    last: Fingerprint
    kind: str = "fixture"
    getter: Callable[[], object] | None = None
    library: str = ""

    def current(self) -> object:
        return self.value if self.getter is None else self.getter()


@dataclasses.dataclass
class _TestState:
    """The baseline one test started from."""

    process: ProcessState
    fixtures: list[pytest.FixtureDef[Any]]
    attributes: dict[str, dict[str, Any]]
    params: list[_Watched] = dataclasses.field(default_factory=list)
    caches: dict[str, _caches.Counts] = dataclasses.field(default_factory=dict)  # memoized functions' counters
    caches_end: dict[str, _caches.Counts] | None = None  # ... and the environment, at the end of the call
    environ_end: dict[Any, Any] | None = None


_ARMED: Final = pytest.StashKey[bool]()
_STATE: Final = pytest.StashKey[_TestState]()
_FOUND: Final = pytest.StashKey[list[GuardFinding]]()
_MISSING: Final = object()


def _test_qualname(nodeid: str) -> str:
    """``t.py::TestA::test_b[1]`` -> ``TestA.test_b`` (how static findings name their owner)."""
    return ".".join(nodeid.split("::")[1:]).split("[")[0]


def _is_unittest(item: pytest.Item) -> bool:
    import unittest

    cls = getattr(item, "cls", None)
    return isinstance(cls, type) and issubclass(cls, unittest.TestCase)


def _session_wide(fixturedef: pytest.FixtureDef[Any], location: str) -> bool:
    """A session-scoped autouse fixture of the rootdir's conftest.py is set up before the first
    test of every run, whatever the order: what its setup changes is configuration, not a leak
    (the static rules stay silent on it too). One in a sub-directory's conftest is set up only
    when that directory's first test runs, so it is still reported."""
    autouse = bool(getattr(fixturedef, "_autouse", False))
    return autouse and fixturedef.scope == "session" and location.rpartition(":")[0] == "conftest.py"


class Guard:
    """The active guard for one pytest run (registered only when turned on)."""

    def __init__(self, config: pytest.Config, mode: str, settings: Settings | None = None) -> None:
        from sessionlint import _fingerprint

        self.first_party = _watch.FirstParty(config.rootpath)
        opaque = tuple(str(entry) for entry in config.getini("sessionlint_guard_opaque"))
        _fingerprint.configure(opaque, self.first_party.type)
        self.fingerprint = _fingerprint.fingerprint
        self.describe_changes = _fingerprint.describe_changes
        self.config = config
        self.mode = mode
        self.settings = settings
        self.watched: dict[pytest.FixtureDef[Any], list[_Watched]] = {}
        self.current: _TestState | None = None
        self.origin: ProcessState | None = None
        self.attributes = _watch.ModuleAttributes(self.first_party)
        self.caches = _caches.MemoCaches(self.first_party, config.rootpath)
        self.setup_seen: set[tuple[str, str]] = set()
        self.setup_reported: set[tuple[str | None, str]] = set()
        self.pending_notes: list[str] = []
        self.noted: set[str] = set()
        self.findings = config.stash[FINDINGS_KEY]
        self.notes = config.stash[NOTES_KEY]

    def pytest_report_header(self) -> str:
        return f"sessionlint guard: {self.mode}"

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self) -> None:
        """The state the run starts from (after collection imported the test modules)."""
        self.origin = ProcessState.capture()

    # fixtures

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, Any, Any]:
        if fixturedef.scope == "function":
            self._arm(request.node)
            value = yield
            self._watch_param(fixturedef, request, value)
            return value
        before = ProcessState.capture()
        xunit = self._xunit_target(fixturedef, request)
        names = dict(vars(xunit[0])) if xunit is not None else {}
        value = yield
        self._setup_changes(fixturedef, request, before, xunit)
        if xunit is not None:
            self._watch_xunit(fixturedef, xunit, names)
        else:
            self._watch(fixturedef, value)
        return value

    def pytest_fixture_post_finalizer(self, fixturedef: pytest.FixtureDef[Any]) -> None:
        self.watched.pop(fixturedef, None)

    def _watch(self, fixturedef: pytest.FixtureDef[Any], value: object) -> None:
        location = project_fixture_location(fixturedef, self.config.rootpath)
        if location is None:
            return
        name, scope = fixturedef.argname, fixturedef.scope
        watched = _Watched(name, scope, location, value, self.fingerprint(value))
        watched.library = self._library(value)
        self._add(fixturedef, [watched])

    def _add(self, fixturedef: pytest.FixtureDef[Any], watched: list[_Watched]) -> None:
        if not watched:
            return
        self.watched[fixturedef] = watched
        if self.current is not None:  # requested dynamically during a test
            self.current.fixtures.append(fixturedef)
        for each in watched:
            self._note(each)

    def _library(self, value: object) -> str:
        """The qualified name of `value`'s type when it is a library's object."""
        cls = type(value)
        module = str(getattr(cls, "__module__", ""))
        if module == "builtins" or self.first_party.type(cls) or module.partition(".")[0] in (
            "collections", "types", "array", "dataclasses", "datetime", "decimal", "fractions",
        ):
            return ""
        return f"{module}.{cls.__qualname__}"

    def _watch_param(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest, value: object
    ) -> None:
        """A parametrized fixture handing out its ``request.param`` object itself."""
        param = getattr(request, "param", _MISSING)
        if param is _MISSING or value is not param or self.current is None:
            return
        if _watch._plain(value) or isinstance(value, (type, types.FunctionType, frozenset)):
            return
        location = project_fixture_location(fixturedef, self.config.rootpath)
        if location is None:
            return
        watched = _Watched(fixturedef.argname, "param", location, value, self.fingerprint(value))
        watched.kind = "param"
        self.current.params.append(watched)

    def _xunit_target(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> tuple[Any, str, str] | None:
        """(module or class, setup method name, its location) for pytest's xunit fixtures."""
        for prefix, scope, methods in _XUNIT:
            if not fixturedef.argname.startswith(prefix):
                continue
            target = getattr(request, "module" if scope == "module" else "cls", None)
            if target is None:
                return None
            for method in methods:
                func = inspect.getattr_static(target, method, None)
                location = function_location(func, self.config.rootpath) if func else None
                if location is not None:
                    owner = method if scope == "module" else f"{target.__qualname__}.{method}"
                    return target, owner, location
        return None

    def _watch_xunit(
        self, fixturedef: pytest.FixtureDef[Any], xunit: tuple[Any, str, str], before: dict[str, Any]
    ) -> None:
        """Watch the containers a setup_module/setup_class/setUpClass created."""
        target, owner, location = xunit
        namespace = vars(target)
        watched = []
        for name, value in list(namespace.items()):
            if before.get(name, _MISSING) is value or name.startswith("__"):
                continue
            if _watch._plain(value) or callable(value) or isinstance(
                value, (types.ModuleType, classmethod, staticmethod, property)
            ):
                continue  # plain values are watched as attributes; code is no state
            label = name if isinstance(target, types.ModuleType) else f"{target.__qualname__}.{name}"
            getter = functools.partial(_read_attr, namespace, name)
            entry = _Watched(label, owner, location, value, self.fingerprint(value), "xunit", getter)
            watched.append(entry)
        self._add(fixturedef, watched)

    def _setup_changes(
        self,
        fixturedef: pytest.FixtureDef[Any],
        request: pytest.FixtureRequest,
        before: ProcessState,
        xunit: tuple[Any, str, str] | None,
    ) -> None:
        """Charge what a broad fixture's setup changed in the process to the fixture, once."""
        changes = _watch.process_changes(before, ProcessState.capture())
        if not changes:
            return
        if xunit is not None:
            name, scope, location = xunit[1], "xunit", xunit[2]
        else:
            found = project_fixture_location(fixturedef, self.config.rootpath)
            if found is None or _session_wide(fixturedef, found):
                return
            name, scope, location = fixturedef.argname, fixturedef.scope, found
        item = getattr(request, "_pyfuncitem", None)
        nodeid = getattr(item, "nodeid", "")
        out = []
        for kind, detail, key in changes:
            if (location, detail) in self.setup_seen:
                continue
            self.setup_seen.add((location, detail))
            out.append(GuardFinding(nodeid, kind, name, scope, location, detail, "setup", key))
        if out and isinstance(item, pytest.Item):
            item.stash.setdefault(_FOUND, []).extend(out)

    def _note(self, watched: _Watched) -> None:
        """Say (once per value) what its fingerprint had to summarise."""
        what = f"{watched.scope} fixture '{watched.name}' ({watched.location})"
        if watched.last.notes and what not in self.noted:
            self.noted.add(what)
            self.pending_notes += [f"{what}: {note}" for note in watched.last.notes]

    # tests

    def _arm(self, node: object) -> None:
        """Take the test's baseline and schedule its check, once per test.

        Called when the first function-scoped fixture is set up (or, failing
        that, when the call starts): the broad fixtures are all set up by
        then -- what their setup changed is not the test's doing -- and the
        check, registered before any function-scoped fixture's finalizer,
        runs after all of them are torn down but before any broad fixture is
        finalized.
        """
        if not isinstance(node, pytest.Item) or node.stash.get(_ARMED, False):
            return
        node.stash[_ARMED] = True
        fixtures = self._reachable(node)
        for fixturedef in fixtures:
            for watched in self.watched[fixturedef]:
                watched.last = self.fingerprint(watched.current())
        state = _TestState(ProcessState.capture(), fixtures, self.attributes.capture(), caches=self.caches.capture())
        self.current = node.stash[_STATE] = state
        node.addfinalizer(functools.partial(self._check, node))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        self._arm(item)  # a test without function-scoped fixtures
        try:
            return (yield)
        finally:
            # what the memoized functions hold while the test's patches are still in effect
            state = item.stash.get(_STATE, None)
            if state is not None and self.caches.functions:
                state.caches_end = self.caches.capture()
                state.environ_end = _watch._environ_copy()

    def _reachable(self, item: pytest.Item) -> list[pytest.FixtureDef[Any]]:
        """Live broad fixtures in the item's fixture closure."""
        names = set(getattr(item, "fixturenames", ()))
        info = getattr(item, "_fixtureinfo", None)
        defs: dict[str, Any] = getattr(info, "name2fixturedefs", None) or {}
        return [
            fixturedef
            for fixturedef in self.watched
            if fixturedef.argname in names
            and fixturedef in defs.get(fixturedef.argname, (fixturedef,))
        ]

    def _check(self, item: pytest.Item) -> None:
        """Item finalizer: compare with the baseline `_arm` took."""
        state = item.stash.get(_STATE, None)
        if state is None:
            return
        del item.stash[_STATE]
        self.current = None
        closure = tuple(getattr(item, "fixturenames", ()))
        unit = _is_unittest(item)
        watched = [w for fixturedef in state.fixtures for w in self.watched.get(fixturedef, ())]
        found = self._value_findings(item.nodeid, watched + state.params, closure, unit)
        now = ProcessState.capture()
        found += [
            GuardFinding(item.nodeid, kind, None, None, None, detail, "test", key, closure, unit)
            for kind, detail, key in _watch.process_changes(state.process, now, self.origin)
        ]
        found += [
            GuardFinding(item.nodeid, "attr", None, None, None, f"{old} -> {new}", "test", name,
                         closure, unit)
            for name, old, new in _watch.attribute_changes(state.attributes, self.attributes.capture())
        ]  # fmt: skip
        if state.caches_end is not None and state.environ_end is not None:
            patched = _caches.patched_keys(state.environ_end, now.environ)
            found += [
                GuardFinding(item.nodeid, "cache", None, None, where, detail, "test", where, closure, unit)
                for _key, where, detail in _caches.leaked_entries(
                    self.caches, state.caches, state.caches_end, self.caches.capture(), patched
                )
            ]
        if found:
            item.stash.setdefault(_FOUND, []).extend(found)
            if self.mode == "fail":
                lines = "\n".join(finding.line() for finding in found)
                message = f"sessionlint guard: this test changed shared state\n{lines}"
                pytest.fail(message, pytrace=False)

    def _value_findings(
        self, nodeid: str, watched: list[_Watched], closure: tuple[str, ...], unit: bool
    ) -> list[GuardFinding]:
        found = []
        for entry in watched:
            after = self.fingerprint(entry.current())
            if after == entry.last:
                continue
            changes, more = self.describe_changes(entry.last, after, MAX_CHANGES_PER_FIXTURE)
            entry.last = after
            self._note(entry)
            changes = [change for change in changes if change.before != change.after]
            if more and changes:
                last = changes[-1]
                changes[-1] = last._replace(after=f"{last.after} (and {more} more changes)")
            found += [
                GuardFinding(nodeid, entry.kind, entry.name, entry.scope, entry.location,
                             str(change), "test", change.path, closure, unit, entry.library)
                for change in changes
            ]  # fmt: skip
        return found

    # reporting

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "teardown":
            found = item.stash.get(_FOUND, None)
            if found:
                setattr(report, _REPORT_ATTR, [dataclasses.asdict(f) for f in found])
            if self.pending_notes:
                setattr(report, _NOTES_ATTR, self.pending_notes)
                self.pending_notes = []
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Collect findings from reports: local ones and those sent by xdist workers."""
        for data in getattr(report, _REPORT_ATTR, None) or ():
            data = {**data, "closure": tuple(data.get("closure", ()))}
            finding = GuardFinding(**data)
            if finding.phase == "setup":
                seen = (finding.location, finding.detail)
                if seen in self.setup_reported:
                    continue  # the same setup change, reported by another xdist worker
                self.setup_reported.add(seen)
            self.findings.append(finding)
        for note in getattr(report, _NOTES_ATTR, None) or ():
            if note not in self.notes:
                self.notes.append(note)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if hasattr(self.config, "workerinput"):  # an xdist worker: the controller reports
            return
        terminalreporter.write_sep("=", "sessionlint guard")
        for note in self.notes:
            terminalreporter.write_line(f"note: {note}")
        from sessionlint._guard_report import group_repeats, static_verdicts  # at the summary only

        verdicts = static_verdicts(self.findings, self.config.rootpath, self.settings)
        for finding, more in group_repeats(self.findings):
            terminalreporter.write_line(f"{finding.line()} {verdicts.get(finding, '')}".rstrip())
            if more:
                terminalreporter.write_line(more)
        if not self.findings:
            terminalreporter.write_line("no test changed shared state")


def _read_attr(namespace: Any, name: str) -> object:
    return namespace.get(name, _MISSING)
