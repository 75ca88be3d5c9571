"""Runtime guard: a pytest plugin that names the tests which change shared state.

Inactive unless ``--sessionlint-guard[=warn|fail]`` or the ini option
``sessionlint_guard`` turns it on. Once on, it fingerprints the value of every
broad (class/module/package/session) fixture the project defines, and around
each test compares the broad values the test can reach, plus ``os.environ``,
``sys.path`` and the working directory: from after its broad fixtures are set
up (what their setup does is not the test's doing) until its function-scoped
fixtures are torn down (so what they restore is no change), before any broad
fixture is finalized. Findings travel on the teardown report -- so
pytest-xdist workers hand them to the controller -- and are listed in a
"sessionlint guard" terminal section.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import linecache
import os
import re
import sys
from collections import Counter
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pytest

if TYPE_CHECKING:  # the fingerprint module is imported only once the guard is on
    from sessionlint._fingerprint import Fingerprint

OPTION: Final = "--sessionlint-guard"
MODES: Final = ("warn", "fail")
_OFF: Final = ("off", "false", "no", "0", "")
_ON: Final = ("true", "yes", "on", "1")
_REPORT_ATTR: Final = "sessionlint_guard"
_NOTES_ATTR: Final = "sessionlint_guard_notes"
#: Environment variables pytest itself rewrites around every test phase.
IGNORED_ENVIRON: Final = frozenset({"PYTEST_CURRENT_TEST"})
MAX_CHANGES_PER_FIXTURE: Final = 5

Kind = Literal["fixture", "environ", "sys.path", "cwd"]


@dataclasses.dataclass(frozen=True)
class GuardFinding:
    """One change to shared state, and the test that made it."""

    nodeid: str
    kind: Kind
    fixture: str | None
    scope: str | None
    location: str | None
    detail: str

    def line(self) -> str:
        """The summary line, e.g. ``t.py::test_a mutated session fixture 'x' (c.py:5): ...``."""
        if self.kind == "fixture":
            where = f"{self.scope} fixture '{self.fixture}' ({self.location})"
            return f"{self.nodeid} mutated {where}: {self.detail}"
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
        _check_configuration(config)
        config.stash[FINDINGS_KEY] = []
        config.stash[NOTES_KEY] = []
        config.pluginmanager.register(Guard(config, mode), "sessionlint-guard")


def _check_configuration(config: pytest.Config) -> None:
    """A ``[tool.sessionlint]`` that cannot be used is a usage error now, in one line,
    not a traceback from the terminal summary after the tests ran."""
    try:
        from sessionlint import config as sl_config
    except Exception:  # noqa: BLE001 - the guard works without the linter
        return
    try:
        sl_config.settings_for_path(str(config.rootpath))
    except sl_config.ConfigError as exc:
        raise pytest.UsageError(f"sessionlint: {exc}") from None


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


# -- process state -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProcessState:
    """The process-global state a test can leave behind.

    `environ` maps names to values, either as ``str`` or -- for speed, straight
    from ``os.environ``'s store -- in their encoded form.
    """

    environ: dict[Any, Any]
    path: tuple[str, ...]
    cwd: str

    @classmethod
    def capture(cls) -> ProcessState:
        try:
            cwd = os.getcwd()
        except OSError:  # the directory was deleted under us
            cwd = "<deleted directory>"
        return cls(_environ_copy(), tuple(sys.path), cwd)


def _environ_copy() -> dict[Any, Any]:
    """``os.environ`` copied without decoding every entry (100x faster)."""
    store = getattr(os.environ, "_data", None)
    return store.copy() if isinstance(store, dict) else dict(os.environ)


def process_changes(before: ProcessState, after: ProcessState) -> list[tuple[Kind, str]]:
    """(kind, detail) for every difference, environment first."""
    changes: list[tuple[Kind, str]] = [
        ("environ", detail) for detail in _environ_changes(before.environ, after.environ)
    ]
    changes += [("sys.path", detail) for detail in _path_changes(before.path, after.path)]
    if before.cwd != after.cwd:
        changes.append(("cwd", f"changed working directory: {before.cwd} -> {after.cwd}"))
    return changes


def _environ_changes(before: dict[Any, Any], after: dict[Any, Any]) -> list[str]:
    if before == after:
        return []
    out = []
    for key in sorted(before.keys() | after.keys()):
        name = os.fsdecode(key)
        if name in IGNORED_ENVIRON or before.get(key) == after.get(key):
            continue
        verb = "set" if key not in before else "removed" if key not in after else "changed"
        out.append(f"{verb} environment variable {name!r}")
    return out


def _path_changes(before: tuple[str, ...], after: tuple[str, ...]) -> list[str]:
    if before == after:
        return []
    added = Counter(after) - Counter(before)
    removed = Counter(before) - Counter(after)
    out = [f"changed sys.path: added {entry!r}" for entry in added.elements()]
    out += [f"changed sys.path: removed {entry!r}" for entry in removed.elements()]
    return out or ["changed sys.path: reordered"]


# -- fixture locations -----------------------------------------------------------


_INSTALLED: Final = frozenset({"site-packages", "dist-packages"})


def project_fixture_location(fixturedef: pytest.FixtureDef[Any], rootpath: Path) -> str | None:
    """``path:line`` (relative to `rootpath`) of the fixture's ``def`` line.

    None for fixtures the project does not define -- pytest's own and installed
    plugins' (``tmp_path_factory``, ``pytestconfig``, ...) are stateful by design.
    """
    func = getattr(fixturedef.func, "__func__", fixturedef.func)
    try:
        func = inspect.unwrap(func)
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


@dataclasses.dataclass
class _Watched:
    """A live broad fixture value and its latest fingerprint."""

    name: str
    scope: str
    location: str
    value: object
    last: Fingerprint


@dataclasses.dataclass
class _TestState:
    """The baseline one test started from."""

    process: ProcessState
    fixtures: list[pytest.FixtureDef[Any]]


_ARMED: Final = pytest.StashKey[bool]()
_STATE: Final = pytest.StashKey[_TestState]()
_FOUND: Final = pytest.StashKey[list[GuardFinding]]()


class Guard:
    """The active guard for one pytest run (registered only when turned on)."""

    def __init__(self, config: pytest.Config, mode: str) -> None:
        from sessionlint._fingerprint import describe_changes, fingerprint

        self.fingerprint = fingerprint
        self.describe_changes = describe_changes
        self.config = config
        self.mode = mode
        self.watched: dict[pytest.FixtureDef[Any], _Watched] = {}
        self.current: _TestState | None = None
        self.pending_notes: list[str] = []
        self.noted: set[str] = set()
        self.findings = config.stash[FINDINGS_KEY]
        self.notes = config.stash[NOTES_KEY]

    def pytest_report_header(self) -> str:
        return f"sessionlint guard: {self.mode}"

    # fixtures

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, Any, Any]:
        if fixturedef.scope == "function":
            self._arm(request.node)
            return (yield)
        value = yield
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
        self.watched[fixturedef] = watched
        if self.current is not None:  # requested dynamically during a test
            self.current.fixtures.append(fixturedef)
        self._note(watched)

    def _note(self, watched: _Watched) -> None:
        """Say (once per fixture) what its fingerprint had to summarise."""
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
            watched = self.watched[fixturedef]
            watched.last = self.fingerprint(watched.value)
        self.current = node.stash[_STATE] = _TestState(ProcessState.capture(), fixtures)
        node.addfinalizer(functools.partial(self._check, node))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        self._arm(item)  # a test without function-scoped fixtures

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
        found = self._fixture_findings(item.nodeid, state.fixtures)
        found += [
            GuardFinding(item.nodeid, kind, None, None, None, detail)
            for kind, detail in process_changes(state.process, ProcessState.capture())
        ]
        if found:
            item.stash[_FOUND] = found
            if self.mode == "fail":
                lines = "\n".join(finding.line() for finding in found)
                message = f"sessionlint guard: this test changed shared state\n{lines}"
                pytest.fail(message, pytrace=False)

    def _fixture_findings(
        self, nodeid: str, fixtures: list[pytest.FixtureDef[Any]]
    ) -> list[GuardFinding]:
        found = []
        for fixturedef in fixtures:
            watched = self.watched.get(fixturedef)
            if watched is None:
                continue
            after = self.fingerprint(watched.value)
            if after == watched.last:
                continue
            changes, more = self.describe_changes(watched.last, after, MAX_CHANGES_PER_FIXTURE)
            watched.last = after
            self._note(watched)
            details = [str(change) for change in changes]
            if more:
                details[-1] += f" (and {more} more changes)"
            found += [
                GuardFinding(nodeid, "fixture", watched.name, watched.scope, watched.location, text)
                for text in details
            ]
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
            self.findings.append(GuardFinding(**data))
        for note in getattr(report, _NOTES_ATTR, None) or ():
            if note not in self.notes:
                self.notes.append(note)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if hasattr(self.config, "workerinput"):  # an xdist worker: the controller reports
            return
        terminalreporter.write_sep("=", "sessionlint guard")
        for note in self.notes:
            terminalreporter.write_line(f"note: {note}")
        verdicts = static_verdicts(self.findings, self.config.rootpath)
        for finding in self.findings:
            terminalreporter.write_line(f"{finding.line()} {verdicts.get(finding, '')}".rstrip())
        if not self.findings:
            terminalreporter.write_line("no test changed shared state")


# -- cross-check with the static analysis ---------------------------------------

_STATIC_CODES: Final = {"fixture": ("SLK201", "SLK202"), "environ": ("SLK301",), "sys.path": ("SLK301",), "cwd": ("SLK301",)}


def static_verdicts(findings: list[GuardFinding], rootpath: Path) -> dict[GuardFinding, str]:
    """For each finding, whether sessionlint's static rules predicted it.

    A change the linter missed is a linter bug worth reporting, so the guard says so.
    """
    if not findings:
        return {}
    try:
        from sessionlint import config as sl_config
        from sessionlint.engine import Engine
    except Exception:  # noqa: BLE001 - the guard works without the linter
        return {}
    diagnostics = []
    files = sorted({str(rootpath / f.nodeid.split("::")[0]) for f in findings})
    for file in files:
        if not os.path.isfile(file):
            continue
        try:
            settings = sl_config.settings_for_path(file)
        except sl_config.ConfigError:
            continue  # a nested configuration that cannot be used: no verdict, never a traceback
        engine = Engine(settings, jobs=1, cache_dir=None, rootdir=str(rootpath))
        conftests = _conftests_up_to(Path(file).parent, rootpath)
        try:
            diagnostics += engine.lint([], files=[file, *conftests]).diagnostics
        except Exception:  # noqa: BLE001 - never break the test run's summary
            continue
    verdicts: dict[GuardFinding, str] = {}
    for finding in findings:
        test = finding.nodeid.split("::")[-1].split("[")[0]
        path = str(rootpath / finding.nodeid.split("::")[0])
        codes = _STATIC_CODES.get(finding.kind, ())
        hits = [
            d for d in diagnostics
            if d.code in codes and (
                (d.code == "SLK201" and f"test '{test}'" in d.message and f"fixture '{finding.fixture}'" in d.message)
                or (d.code == "SLK202" and f"fixture '{finding.fixture}'" in d.message)
                or (d.code == "SLK301" and d.path == path and f"'{test}'" in d.message)
            )
        ]  # fmt: skip
        if hits:
            first = hits[0]
            where = os.path.relpath(first.path, rootpath)
            verdicts[finding] = f"[predicted by sessionlint {first.code} at {where}:{first.line}]"
        elif codes:
            verdicts[finding] = "[not predicted by sessionlint's static rules: please report this case]"
    return verdicts


def _conftests_up_to(directory: Path, rootpath: Path) -> list[str]:
    found = []
    while True:
        candidate = directory / "conftest.py"
        if candidate.is_file():
            found.append(str(candidate))
        if directory == rootpath or directory.parent == directory:
            return found
        directory = directory.parent
