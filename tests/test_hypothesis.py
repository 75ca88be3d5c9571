"""Property-based tests: sessionlint never raises, and its fixes parse and are idempotent.

Programs come from hypothesmith (``from_grammar``: any program CPython
compiles; ``from_node``: programs built from libcst nodes) and from a
strategy that composes fixture and test templates, since generated programs
rarely hold fixtures and so would never reach a fixer. Example counts are
bounded so the module stays well under a minute.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sessionlint.config import Settings
from sessionlint.engine import Engine
from sessionlint.sources import read, write_atomic

BOUNDED = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    database=None,
)


def _compile(text: str, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning on generated code such as 1.0[x]
        compile(text, name, "exec")


def _write(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("")
    for name, text in files.items():
        (root / name).write_bytes(text.encode("utf-8", "surrogatepass"))


def _fix(root: Path, unsafe: bool = True) -> dict[str, str]:
    """Fix the project in place; the fixed texts, by file name."""
    engine = Engine(Settings(root=str(root)))
    outcome = engine.fix([str(root)], unsafe=unsafe)
    assert outcome.result.errors == [], outcome.result.errors
    assert not [f for f in outcome.failures if "did not settle" in f], outcome.failures
    for path, text in outcome.texts.items():
        _compile(text, path)  # every fix result parses
        write_atomic(path, read(path).encode(text))  # as the CLI writes: same encoding and BOM
    return {Path(p).name: t for p, t in outcome.texts.items()}


def check_program(files: dict[str, str]) -> None:
    """Lint never raises nor reports an internal error; fixing twice equals fixing once."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write(root, files)
        result = Engine(Settings(root=str(root))).lint([str(root)])
        assert result.errors == [], result.errors
        _fix(root)
        after_once = {name: (root / name).read_bytes() for name in files}
        assert _fix(root) == {}, "a second --fix changed the files again"
        assert {name: (root / name).read_bytes() for name in files} == after_once


# hypothesmith ---------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@BOUNDED
@given(hypothesmith.from_grammar())
def test_any_program_from_the_grammar(source: str) -> None:
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        assume(False)  # lone surrogates cannot be in a file
    check_program({"test_gen.py": source})


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@BOUNDED
@given(hypothesmith.from_node())
def test_any_program_from_libcst_nodes(source: str) -> None:
    try:
        _compile(source, "test_gen.py")
        source.encode("utf-8")
    except (SyntaxError, ValueError, UnicodeEncodeError, RecursionError, MemoryError):
        assume(False)  # from_node may build code this Python rejects; that is SLK001 territory
    check_program({"test_gen.py": source, "conftest.py": source})


# fixture and test templates -------------------------------------------------------------------
HEADER = """\
import collections
import copy
import os
import random
import sqlite3
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType
from unittest import mock

import pytest

STATE = {"users": []}
"""

SCOPES = ["", "function", "class", "module", "package", "session"]
VALUES = [
    '{"users": [], "n": 1}', "[1, 2, 3]", "{1, 2}", "set()", "dict()", "list()", "bytearray(b'x')",
    "collections.defaultdict(list)", "collections.OrderedDict()", "collections.Counter()", "collections.deque()",
    "{**STATE}", "[x for x in range(3)]", "{k: [] for k in 'ab'}", "(1, 2)", "'text'", "None", "42",
    "frozenset({1})", "MappingProxyType({'a': 1})", "STATE", "STATE['users']", "lambda: []", "tmp_path_factory",
    "request.param",
]  # fmt: skip
RESOURCES = [
    ("f", "open(__file__)", "f.close()"),
    ("conn", "sqlite3.connect(':memory:')", "conn.close()"),
    ("d", "tempfile.mkdtemp()", "os.rmdir(d)"),
    ("ex", "ThreadPoolExecutor()", "ex.shutdown()"),
    ("p", "mock.patch('os.getcwd')", "p.stop()"),
]
GLOBAL_WRITES = [
    'os.environ["SL_X"] = "1"',
    'os.environ.setdefault("SL_Y", "1")',
    'del os.environ["SL_Z"]',
    'os.putenv("SL_W", "1")',
    'sys.path.append("/sl")',
    'sys.path.insert(0, "/sl")',
    'sys.argv = ["x"]',
    'sys.modules["sl_fake"] = None',
    'os.chdir("/")',
    'setattr(os, "sl_attr", 1)',
    "os.sep = '/'",
    "global STATE\nSTATE = {}",
    'STATE["users"].append(1)',
    'monkeypatch.setenv("SL_V", "1")',
]
MUTATIONS = [
    "{x}.append(1)", '{x}["users"] = 1', "{x}.update({{}})", '{x}.pop("n", None)', "{x} += [1]",
    "{x}.clear()", "del {x}[0]", "random.shuffle({x})", "{x}.attr = 1", "alias = {x}\nalias.append(1)",
    "{x} = copy.deepcopy({x})\n{x}.append(1)", "{x} = list({x})\n{x}.append(1)", "{x}.add(1)",
    "{x}.setdefault('k', []).append(1)", "{x}.users.append(1)", "len({x})", "print({x})",
    "with open(__file__) as fh:\n    {x}.append(fh.read())", "if {x}:\n    {x}[0] = 2",
]  # fmt: skip


def _lines(items: list[str]) -> list[str]:
    return [line for item in items for line in item.split("\n")]


@st.composite
def fixture_source(draw, name: str, earlier: list[str], in_class: bool) -> str:
    scope = draw(st.sampled_from(SCOPES))
    value = draw(st.sampled_from(VALUES))
    args: list[str] = []
    decorator_args: list[str] = []
    if scope:
        decorator_args.append(draw(st.sampled_from([f'scope="{scope}"', f"'{scope}'"])))
    if value == "request.param":
        args.append("request")
        params = draw(st.sampled_from(["[[1], [2]]", "[{'a': 1}, {'a': 2}]", "[1, 2]", "[pytest.param([1], id='x')]"]))
        decorator_args.append(f"params={params}")
    if value == "tmp_path_factory":
        args.append("tmp_path_factory")
        value = 'tmp_path_factory.mktemp("d")'
    if draw(st.integers(0, 3)) == 0:
        decorator_args.append("autouse=True")
    if earlier and draw(st.booleans()):
        args.append(draw(st.sampled_from(earlier)))
    if draw(st.integers(0, 3)) == 0:
        args.append("monkeypatch")
    body: list[str] = []
    if draw(st.booleans()):
        body.append(draw(st.sampled_from(GLOBAL_WRITES)))
        if "monkeypatch" in body[-1] and "monkeypatch" not in args:
            args.append("monkeypatch")
    resource = draw(st.none() | st.sampled_from(RESOURCES))
    style = draw(st.sampled_from(["return", "yield", "yield-teardown", "yield-finally"]))
    if resource is not None:
        var, make, release = resource
        body.append(f"{var} = {make}")
        if var == "p":
            body.append("p.start()")
        value = draw(st.sampled_from([var, value]))
        if style == "return":
            value = draw(st.sampled_from([make, var]))
    if draw(st.booleans()):
        body.append(f"value = {value}")
        value = "value"
        consumed = [a for a in args if a not in ("request", "tmp_path_factory", "monkeypatch")]
        if consumed and draw(st.booleans()):
            body.append(draw(st.sampled_from(MUTATIONS)).format(x=consumed[-1]))
    if style == "return":
        body.append(f"return {value}")
    elif style == "yield":
        body.append(f"yield {value}")
    elif style == "yield-teardown":
        body.append(f"yield {value}")
        if resource is not None and draw(st.booleans()):
            body.append(resource[2])
        if draw(st.booleans()):
            body.append('os.environ.pop("SL_X", None)')
    else:
        release = resource[2] if resource is not None and draw(st.booleans()) else "pass"
        body = ["try:", *("    " + line for line in _lines(body)), f"    yield {value}", "finally:", "    " + release]
    if in_class:
        args.insert(0, "self")
    if decorator_args:
        decorator = f"@pytest.fixture({', '.join(decorator_args)})"
    else:
        decorator = draw(st.sampled_from(["@pytest.fixture", "@pytest.fixture()"]))
    outer = "    " if in_class else ""
    lines = [outer + decorator, f"{outer}def {name}({', '.join(args)}):"]
    lines += [outer + "    " + line for line in _lines(body)]
    return "\n".join(lines) + "\n"


@st.composite
def function_source(draw, name: str, fixtures: list[str], in_class: bool) -> str:
    requested = draw(st.lists(st.sampled_from(fixtures), max_size=3, unique=True)) if fixtures else []
    body: list[str] = []
    for fixture in requested:
        if draw(st.booleans()):
            body.append(draw(st.sampled_from(MUTATIONS)).format(x=fixture))
    if draw(st.booleans()):
        write = draw(st.sampled_from(GLOBAL_WRITES))
        if "monkeypatch" in write:
            requested.append("monkeypatch")
        body.append(write)
    body.append("assert True")
    args = (["self"] if in_class else []) + requested
    outer = "    " if in_class else ""
    lines = [f"{outer}def {name}({', '.join(args)}):"] + [outer + "    " + line for line in _lines(body)]
    return "\n".join(lines) + "\n"


@st.composite
def fixture_projects(draw) -> dict[str, str]:
    n_fixtures = draw(st.integers(1, 4))
    names: list[str] = []
    fixtures: list[str] = []
    for i in range(n_fixtures):
        name = f"fx{i}"
        fixtures.append(draw(fixture_source(name, list(names), in_class=False)))
        names.append(name)
    tests = [draw(function_source(f"test_{i}", names, in_class=False)) for i in range(draw(st.integers(1, 4)))]
    if draw(st.booleans()):
        inner = draw(fixture_source("cfx", list(names), in_class=True))
        methods = [draw(function_source(f"test_m{i}", [*names, "cfx"], in_class=True)) for i in range(2)]
        tests.append("class TestGroup:\n" + "\n".join([inner, *methods]))
    split = draw(st.booleans())
    if split:
        return {
            "conftest.py": HEADER + "\n\n" + "\n\n".join(fixtures),
            "test_mod.py": HEADER + "\n\n" + "\n\n".join(tests),
        }
    return {"test_mod.py": HEADER + "\n\n" + "\n\n".join(fixtures + tests)}


def _compiles(files: dict[str, str]) -> bool:
    try:
        for name, text in files.items():
            _compile(text, name)
    except SyntaxError:
        return False
    return True


@BOUNDED
@given(fixture_projects())
def test_fixture_templates_fix_cleanly(files: dict[str, str]) -> None:
    assume(_compiles(files))
    check_program(files)


@settings(BOUNDED, max_examples=25)
@given(fixture_projects(), st.sampled_from(["\r\n", "\r"]), st.booleans())
def test_line_endings_and_bom_do_not_change_findings_or_fixes(files: dict[str, str], newline: str, bom: bool) -> None:
    """Linting and fixing a CRLF (or CR) file with or without a BOM gives the findings of the
    LF file, and its fix is the LF file's fix with the same line endings."""
    assume(_compiles(files))

    def convert(text: str) -> str:
        return ("\ufeff" if bom else "") + text.replace("\n", newline)

    def run(contents: dict[str, str]) -> tuple[list[tuple[str, int, int, str]], dict[str, bytes]]:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            _write(root, contents)
            result = Engine(Settings(root=str(root))).lint([str(root)])
            assert result.errors == []
            found = [(Path(d.path).name, d.line, d.col, d.code) for d in result.diagnostics]
            _fix(root)
            return found, {name: (root / name).read_bytes() for name in contents}

    lf_found, lf_fixed = run(files)
    other_found, other_fixed = run({name: convert(text) for name, text in files.items()})
    assert other_found == lf_found
    expected = {name: convert(data.decode("utf-8")).encode("utf-8") for name, data in lf_fixed.items()}
    assert other_fixed == expected


@pytest.mark.skipif(os.environ.get("SESSIONLINT_HYPOTHESIS_LONG") is None, reason="set SESSIONLINT_HYPOTHESIS_LONG=1")
@settings(BOUNDED, max_examples=1000)
@given(fixture_projects())
def test_fixture_templates_long_run(files: dict[str, str]) -> None:
    """The same property with many more examples, for a local soak run."""
    assume(_compiles(files))
    check_program(files)
