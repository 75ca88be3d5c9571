"""SLK501: a fixture requests a fixture of narrower scope (pytest raises ScopeMismatch at run time)."""

from __future__ import annotations

import re
from typing import Iterator

from sessionlint.index import Project, Resolved
from sessionlint.model import (
    SCOPE_RANK,
    Diagnostic,
    FileFacts,
    Fix,
    FixOp,
    FixtureDef,
    Span,
)
from sessionlint.rules.base import Example, Rule
from sessionlint.syntax import display_path

RULES = [
    Rule(
        code="SLK501",
        name="scope-mismatch",
        summary="a fixture requests a fixture of narrower scope",
        fix="sometimes",
        what="Flags a fixture that requests a fixture whose scope is narrower than its own: a "
        "session-scoped fixture that requests a function-scoped one, a module-scoped fixture that "
        "requests a class-scoped one, and so on. The requested name is resolved the way pytest resolves "
        "it: in the same class, the same module, the `conftest.py` files above it, `pytest_plugins` "
        "modules, and pytest's built-in fixtures (`tmp_path`, `tmpdir`, `monkeypatch`, `capsys`, "
        "`capfd`, `caplog`, `recwarn`, pytest-mock's `mocker`, ...; all function-scoped).\n\n"
        "pytest resolves a name from the test that runs, not from the fixture that requests it, so a "
        "narrower fixture of the same name defined closer to some tests (in a nested `conftest.py`, "
        "in their module or class) also causes a mismatch for those tests. sessionlint reports that "
        "case too, when a test there uses the broad fixture (directly, through other fixtures, or "
        "because it is `autouse`).\n\n"
        "Silent when either scope is unknown (a callable `scope=`, a scope held in a name it cannot "
        "resolve), for `request`, and for names that no file in view defines (a plugin's fixtures "
        "other than the built-ins listed). Not checked: names fetched with "
        "`request.getfixturevalue(...)`, and names a test supplies through direct "
        "`@pytest.mark.parametrize` (pytest then makes a pseudo-fixture of the parametrize's scope).",
        why="pytest cannot hand a value that lives for one test to a fixture that outlives it. It finds "
        "out only at run time, when it sets up the broad fixture, and then fails with `ScopeMismatch` "
        "every test that needs it. The error shows only when that path runs, so it can hide in a rarely "
        "run directory, behind a marker, or in a conftest override that only some tests see.",
        example="""
@pytest.fixture(scope="session")
def data_dir(tmp_path):
    (tmp_path / "users.json").write_text("[]")
    return tmp_path


@pytest.fixture(scope="module")
def env(monkeypatch):
    monkeypatch.setenv("APP_ENV", "test")
    yield
""",
        use_instead="""
@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("data_dir")
    (tmp_path / "users.json").write_text("[]")
    return tmp_path


@pytest.fixture(scope="module")
def env():
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("APP_ENV", "test")
        yield
""",
        fix_safety="Unsafe, and only for three built-ins when pytest's own fixture is the one requested. "
        "`tmp_path` becomes `tmp_path_factory.mktemp(\"<fixture name>\")` (the parameter is replaced by "
        "`tmp_path_factory`, and `tmp_path` is bound to a new directory as the first statement); `tmpdir` "
        "likewise becomes `tmpdir_factory.mktemp(...)`. In a yield fixture, `monkeypatch` becomes "
        "`with pytest.MonkeyPatch.context() as monkeypatch:` around the whole body, so the patches are "
        "undone at the fixture's teardown. These fixes change when the directory is created and when the "
        "patches are undone (once per the fixture's scope, not per test), which is what the broad scope "
        "asked for, but tests that relied on a fresh directory per test see one shared directory. "
        "A `monkeypatch` in a fixture that returns gets no fix (the patches would be undone before any "
        "test runs); nor does any other mismatch: widen the requested fixture or narrow the requesting "
        "one.",
        options="None.",
        references=(
            "https://docs.pytest.org/en/stable/how-to/fixtures.html#fixture-scopes",
            "https://docs.pytest.org/en/stable/how-to/tmp_path.html#the-tmp-path-factory-fixture",
            "https://docs.pytest.org/en/stable/reference/reference.html#pytest.MonkeyPatch.context",
            "https://docs.pytest.org/en/stable/how-to/fixtures.html#override-a-fixture-on-a-folder-conftest-level",
        ),
        valid=(
            # a broad fixture requesting a broader or equal one
            '@pytest.fixture(scope="session")\ndef engine():\n    return object()\n\n\n'
            '@pytest.fixture(scope="module")\ndef conn(engine):\n    return engine\n',
            # tmp_path_factory is session-scoped
            '@pytest.fixture(scope="session")\ndef data_dir(tmp_path_factory):\n'
            '    return tmp_path_factory.mktemp("data")\n',
            # a function-scoped fixture may request anything
            "@pytest.fixture\ndef env(monkeypatch, tmp_path):\n    monkeypatch.chdir(tmp_path)\n",
            # unknown (dynamic) scope: silent
            "def pick(fixture_name, config):\n    return 'session'\n\n\n"
            "@pytest.fixture(scope=pick)\ndef server(tmp_path):\n    return tmp_path\n",
            # request is not a fixture with a scope
            '@pytest.fixture(scope="session")\ndef name(request):\n    return request.config.rootpath.name\n',
            # class-scoped requesting class-scoped
            "class TestUsers:\n"
            '    @pytest.fixture(scope="class")\n    def db(self):\n        return object()\n\n'
            '    @pytest.fixture(scope="class")\n    def users(self, db):\n        return (db,)\n',
        ),
        invalid=(
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="session")\ndef data_dir(tmp_path):\n'
                '    (tmp_path / "users.json").write_text("[]")\n    return tmp_path\n',
                fixed='import pytest\n\n\n@pytest.fixture(scope="session")\ndef data_dir(tmp_path_factory):\n'
                '    tmp_path = tmp_path_factory.mktemp("data_dir")\n'
                '    (tmp_path / "users.json").write_text("[]")\n    return tmp_path\n',
                unsafe=True,
            ),
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="module")\ndef env(monkeypatch):\n'
                '    """Test settings."""\n    monkeypatch.setenv("APP_ENV", "test")  # for the app\n'
                "    yield\n",
                fixed='import pytest\n\n\n@pytest.fixture(scope="module")\ndef env():\n'
                '    """Test settings."""\n    with pytest.MonkeyPatch.context() as monkeypatch:\n'
                '        monkeypatch.setenv("APP_ENV", "test")  # for the app\n'
                "        yield\n",
                unsafe=True,
            ),
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="session")\ndef legacy_dir(tmpdir):\n'
                "    return tmpdir\n",
                fixed='import pytest\n\n\n@pytest.fixture(scope="session")\ndef legacy_dir(tmpdir_factory):\n'
                '    tmpdir = tmpdir_factory.mktemp("legacy_dir")\n    return tmpdir\n',
                unsafe=True,
            ),
            # a fixture defined in another file: no fix
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="session")\ndef client(db):\n    return db\n',
                files={"conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return object()\n"},
            ),
            # monkeypatch in a fixture that returns: no fix
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="class")\ndef offline(monkeypatch):\n'
                '    monkeypatch.delenv("HTTP_PROXY", raising=False)\n    return True\n',
            ),
        ),
    ),
]

# pytest's function-scoped fixture -> the session-scoped factory a broad fixture uses instead
_FACTORIES = {"tmp_path": "tmp_path_factory", "tmpdir": "tmpdir_factory"}
# pytest-mock's mocker for each broad scope
_MOCKERS = {scope: f"{scope}_mocker" for scope in ("class", "module", "package", "session")}
_SKIP = frozenset({"request"})


def _where(resolved: Resolved) -> str:
    if resolved.fixture is None:
        return "built-in"
    return f"{display_path(resolved.path)}:{resolved.fixture.span.line}"


def _arg_span(fixture: FixtureDef, index: int) -> Span:
    spans = fixture.arg_spans
    return spans[index] if len(spans) == len(fixture.args) else fixture.span


def _rank(scope: str | None) -> int | None:
    return SCOPE_RANK.get(scope) if scope else None


def _same(resolved: Resolved | None, fixture: FixtureDef) -> bool:
    if resolved is None or resolved.fixture is None:
        return False
    other = resolved.fixture
    return other is fixture or (other.span == fixture.span and other.func == fixture.func and other.cls == fixture.cls)


# across files ---------------------------------------------------------------------------------
def check_project(project: Project, settings: object) -> Iterator[Diagnostic]:
    for facts in project.facts.values():
        for fixture in facts.fixtures:
            rank = _rank(fixture.scope)
            if not rank:  # unknown, or function scope: may request anything
                continue
            for index, name in enumerate(fixture.args):
                if name in _SKIP:
                    continue
                resolved = project.resolve(name, facts.path, fixture.cls, requester=fixture)
                narrower = _rank(resolved.scope) if resolved is not None else None
                if resolved is not None and narrower is not None and narrower < rank:
                    yield _direct(facts, fixture, index, resolved)
                elif name != fixture.name and fixture.cls is None:
                    found = _override(project, facts, fixture, name, rank)
                    if found is not None:
                        yield _overridden(facts, fixture, index, *found)


def _advice(fixture: FixtureDef, resolved: Resolved) -> str:
    name, scope = resolved.name, fixture.scope
    if resolved.builtin and name in _FACTORIES:
        return f'use {_FACTORIES[name]}.mktemp("{_dirname(fixture)}") instead'
    if resolved.builtin and name == "monkeypatch" and fixture.is_yield:
        return "use `with pytest.MonkeyPatch.context() as monkeypatch:` around the fixture's body instead"
    if resolved.builtin and name == "monkeypatch":
        return "make it a yield fixture and patch inside `with pytest.MonkeyPatch.context()` around the yield"
    if resolved.builtin and name == "mocker" and scope in _MOCKERS:
        return f"use pytest-mock's {_MOCKERS[scope]} instead"
    if resolved.builtin:
        return f"make '{fixture.name}' function-scoped, or do not request '{name}' from it"
    return f"give '{name}' {scope} scope (or broader), or narrow '{fixture.name}' to {resolved.scope} scope"


def _fields(facts: FileFacts, fixture: FixtureDef, resolved: Resolved) -> dict[str, str]:
    """The requested (narrower) fixture, its scope and definition; the requesting fixture as owner."""
    defined = f"{resolved.path}:{resolved.fixture.span.line}" if resolved.fixture and resolved.path else ""
    return {
        "fixture": resolved.name, "scope": resolved.scope or "", "defined": defined,
        "owner": fixture.qualname, "owner_kind": "fixture",
    }  # fmt: skip


def _direct(facts: FileFacts, fixture: FixtureDef, index: int, resolved: Resolved) -> Diagnostic:
    span = _arg_span(fixture, index)
    message = (
        f"{fixture.scope}-scoped fixture '{fixture.name}' requests {resolved.scope}-scoped fixture "
        f"'{resolved.name}' ({_where(resolved)}): pytest raises ScopeMismatch"
    )
    return Diagnostic(
        facts.path, span.line, span.col, "SLK501", message, span.end_line, span.end_col, _fix(facts, fixture, resolved),
        fix_title=_advice(fixture, resolved), **_fields(facts, fixture, resolved),
    )  # fmt: skip


def _overridden(
    facts: FileFacts, fixture: FixtureDef, index: int, resolved: Resolved, test_path: str, cls: str | None
) -> Diagnostic:
    span = _arg_span(fixture, index)
    where = display_path(test_path) + (f" (class {cls})" if cls else "")
    message = (
        f"{fixture.scope}-scoped fixture '{fixture.name}' requests '{resolved.name}', which the tests in {where} "
        f"that use '{fixture.name}' get from {_where(resolved)}, {resolved.scope}-scoped: pytest raises ScopeMismatch"
    )
    help_ = (
        f"give that '{resolved.name}' {fixture.scope} scope (or broader), or narrow '{fixture.name}' to "
        f"{resolved.scope} scope"
    )
    return Diagnostic(
        facts.path, span.line, span.col, "SLK501", message, span.end_line, span.end_col,
        fix_title=help_, **_fields(facts, fixture, resolved),
    )  # fmt: skip


def _override(
    project: Project, facts: FileFacts, fixture: FixtureDef, name: str, rank: int
) -> tuple[Resolved, str, str | None] | None:
    """Tests that use ``fixture`` but see a narrower ``name`` than the fixture's own module does.

    pytest resolves the names a fixture requests from the test being set up, so an override of
    ``name`` in a nested conftest.py, a test module or a test class is what the fixture gets there.
    """
    for path in sorted(project.visible_from(facts.path)):
        other = project.get(path)
        if other is None or not other.test_requests:
            continue
        requests = other.test_requests
        # cheap first: does this module, or one of its classes, see a narrower ``name`` at all?
        at_module = project.resolve(name, path, None)
        classes = {f.cls for f in other.fixtures if f.name == name and f.cls}
        if not classes and not _narrower(at_module, rank):
            continue
        for where, names in sorted(requests.items()):
            cls = where or None
            resolved = at_module if cls is None or not classes else project.resolve(name, path, cls)
            if not _narrower(resolved, rank):
                continue
            if not _same(project.resolve(fixture.name, path, cls), fixture):
                continue  # tests here see another fixture under that name
            if _uses(project, path, other, cls, names, fixture):
                assert resolved is not None
                return resolved, path, cls
    return None


def _narrower(resolved: Resolved | None, rank: int) -> bool:
    narrower = _rank(resolved.scope) if resolved is not None else None
    return narrower is not None and narrower < rank


def _uses(
    project: Project,
    path: str,
    facts: FileFacts,
    cls: str | None,
    requested: tuple[str, ...],
    target: FixtureDef,
    limit: int = 500,
) -> bool:
    """Whether the tests at ``cls`` in ``path`` set up ``target`` (directly or through other fixtures)."""
    if target.autouse:
        return True
    names = list(requested)
    if cls:
        parts = cls.split(".")
        for i in range(len(parts), 0, -1):
            names += facts.class_usefixtures.get(".".join(parts[:i]), ())
    queue: list[tuple[str, FixtureDef | None]] = [(n, None) for n in names]
    seen: set[tuple[str, int]] = set()
    while queue and len(seen) < limit:
        name, requester = queue.pop()
        resolved = project.resolve(name, path, cls, requester=requester)
        if resolved is None or resolved.fixture is None:
            continue
        if _same(resolved, target):
            return True
        key = (name, id(resolved.fixture))
        if key in seen:
            continue
        seen.add(key)
        queue += [(arg, resolved.fixture) for arg in resolved.fixture.args if arg not in _SKIP]
    return False


# fixes ---------------------------------------------------------------------------------------
def _dirname(fixture: FixtureDef) -> str:
    """A directory name for ``mktemp`` from the fixture's name (``name=`` may hold any text)."""
    return re.sub(r"[^\w.-]", "_", fixture.name).strip(".") or fixture.func


def _fix(facts: FileFacts, fixture: FixtureDef, resolved: Resolved) -> Fix | None:
    if not resolved.builtin:
        return None
    func = ("func", fixture.qualname)
    if resolved.name in _FACTORIES:
        factory, dirname = _FACTORIES[resolved.name], _dirname(fixture)
        op = FixOp(
            facts.path,
            "tmp-path-factory",
            (func, ("param", resolved.name), ("factory", factory), ("dirname", dirname)),
        )
        return Fix("unsafe", f'Use {factory}.mktemp("{dirname}") instead of {resolved.name}', (op,))
    if resolved.name == "monkeypatch" and fixture.is_yield:
        op = FixOp(facts.path, "monkeypatch-context", (func,))
        return Fix("unsafe", "Use pytest.MonkeyPatch.context() around the fixture's body", (op,))
    return None
