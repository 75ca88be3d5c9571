"""The command line: exit codes, --statistics, --show-fixes, --output-file, stdin, ``sessionlint rule``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CONFTEST, TEST_USERS
from sessionlint.cli import main
from sessionlint.rules import RULES

FIXED_TEST_USERS = (
    "import copy\n\n\n"
    "def test_create_user(shared_config):\n"
    "    shared_config = copy.deepcopy(shared_config)\n"
    '    shared_config["users"].append("alice")   # leaks into every later test\n'
    '    assert shared_config["users"] == ["alice"]\n'
)
# a value that is not built from literals: SLK101 offers only an unsafe fix
OPAQUE_CONFTEST = (
    "import pytest\n\n\n"
    '@pytest.fixture(scope="session")\n'
    "def shared_config(tmp_path_factory):\n"
    '    return {"root": tmp_path_factory.getbasetemp(), "users": []}\n'
)


@pytest.fixture
def example(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_users.py").write_text(TEST_USERS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv: str, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    status = main(["--no-cache", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# exit codes --------------------------------------------------------------------------------------
def test_exit_codes(example, capsys, tmp_path):
    assert run(capsys, ".")[0] == 1
    assert run(capsys, "--exit-zero", ".")[0] == 0
    assert run(capsys, "--select", "SLK5", ".")[0] == 0
    status, out, err = run(capsys, "no-such-dir")
    assert status == 2 and out == "" and err == "sessionlint: error: no-such-dir: no such file or directory\n"


def test_fix_exits_0_when_nothing_remains(example, capsys):
    status, out, err = run(capsys, "--fix", ".")
    assert status == 0 and "Rewriting conftest.py" in err
    # ruff's summary after --fix: the SLK101 fix (function scope) also settles SLK201
    assert out == "Found 1 error (1 fixed, 0 remaining).\n"
    assert run(capsys, "--fix", ".")[:2] == (0, "All checks passed!\n")


def test_exit_non_zero_on_fix_keeps_the_old_behaviour(example, capsys):
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", ".")[0] == 1
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", ".")[0] == 0


def test_text_output_ends_with_rufs_summary(example, capsys):
    status, out, err = run(capsys, ".")
    assert status == 1 and out.count(": SLK") == 2 and err == ""
    assert out.splitlines()[-2:] == ["Found 2 errors.", "[*] 2 fixable with the `--fix` option."]
    status, out, err = run(capsys, "-q", ".")  # -q: diagnostics only, as ruff's -q
    shown = [line for line in out.splitlines() if not line.startswith("  help: ")]
    assert status == 1 and out.count(": SLK") == 2 and len(shown) == 2 and err == ""


@pytest.mark.parametrize("fmt", ["text", "grouped"])
def test_summary_on_stdout_for_human_formats(example, capsys, fmt):
    (example / "conftest.py").write_text(OPAQUE_CONFTEST)  # SLK101's fix is unsafe now
    status, out, err = run(capsys, "--format", fmt, ".")
    assert status == 1 and err == ""
    assert out.splitlines()[-2:] == [
        "Found 2 errors.",
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]
    assert run(capsys, "--format", fmt, "--unsafe-fixes", ".")[1].splitlines()[-1] == (
        "[*] 2 fixable with the `--fix` option."
    )
    assert run(capsys, "--format", fmt, "--select", "SLK101", ".")[1].splitlines()[-1] == (
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    )
    assert run(capsys, "--format", fmt, "--select", "SLK5", ".")[:3] == (0, "All checks passed!\n", "")
    assert run(capsys, "--format", fmt, "-q", "--select", "SLK5", ".")[:3] == (0, "", "")


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_machine_formats_have_no_summary(example, capsys, fmt):
    for argv in ((), ("--select", "SLK5")):
        out = run(capsys, "--format", fmt, *argv, ".")[1]
        assert "Found" not in out and "All checks passed" not in out
        if fmt != "github":
            json.loads(out)
    assert run(capsys, "--format", "github", "--select", "SLK5", ".")[1] == ""


def test_color_option_and_no_color(example, capsys, monkeypatch):
    assert "\x1b[" not in run(capsys, "--format", "grouped", ".")[1]  # not a terminal
    assert "\x1b[" in run(capsys, "--color", "always", "--format", "grouped", ".")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert "\x1b[" not in run(capsys, "--format", "grouped", ".")[1]
    assert "\x1b[" not in run(capsys, "--color", "never", "--format", "grouped", ".")[1]


def test_short_output_file_option(example, capsys, tmp_path):
    report = tmp_path / "report.txt"
    assert run(capsys, "-o", str(report), ".")[0] == 1
    assert report.read_text().count(": SLK") == 2


def test_stdin_without_a_file_name_says_fixtures_cannot_be_resolved(example, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEST_USERS.encode())))
    status, out, err = run(capsys, "-")
    assert "conftest.py files cannot be resolved without a file name" in err


@pytest.mark.parametrize(
    ("source", "version"),
    [
        ('x = t"hello {name}"\n', "3.14"),
        ("type Alias = list[int]\n", "3.12"),
        ("def first[T](items: list[T]) -> T:\n    return items[0]\n", "3.12"),
        ('x = f"{", ".join(a)}"\n', "3.12"),
    ],
)
def test_newer_syntax_names_the_python_it_needs(tmp_path, capsys, source, version):
    if sys.version_info >= tuple(int(p) for p in version.split(".")):
        pytest.skip("this Python parses it")
    (tmp_path / "test_new.py").write_text(source)
    status, out, _ = run(capsys, "--no-cache", str(tmp_path))
    assert status == 1 and "SLK001" in out and f"needs Python {version}" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "xml"],
        ["--jobs", "0"],
        ["--select", "SLK-1"],
        ["--no-such-flag"],
        ["-", "other.py"],
        ["--stdin-filename", "x.py", "test_users.py"],
    ],
)
def test_usage_errors_exit_2_without_traceback(example, capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert "error" in err.splitlines()[-1] and "Traceback" not in err


def test_help_and_version_exit_0(capsys):
    assert main(["--help"]) == 0
    assert "--format" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("sessionlint ")


def test_module_entry_point(example):
    proc = subprocess.run([sys.executable, "-m", "sessionlint", "--no-cache", "--format", "json", "."], capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 1 and [d["code"] for d in json.loads(proc.stdout)] == ["SLK101", "SLK201"]


# --statistics -------------------------------------------------------------------------------------
def test_statistics(example, capsys):
    (example / "test_more.py").write_text(TEST_USERS.replace("create_user", "more"))
    status, out, _ = run(capsys, "--statistics", ".")
    assert status == 1
    assert out.splitlines() == [
        "2  SLK201  [*]  test-mutates-shared-fixture",
        "1  SLK101  [*]  mutable-fixture-value",
    ]


def test_statistics_as_json(example, capsys):
    (example / "conftest.py").write_text(OPAQUE_CONFTEST)
    status, out, _ = run(capsys, "--statistics", "--format", "json", ".")
    assert status == 1
    rows = json.loads(out)
    assert rows == [
        {"code": "SLK101", "name": "mutable-fixture-value", "count": 1, "fixable": False},  # unsafe fix only
        {"code": "SLK201", "name": "test-mutates-shared-fixture", "count": 1, "fixable": rows[1]["fixable"]},
    ]
    assert json.loads(run(capsys, "--statistics", "--format", "json", "--unsafe-fixes", ".")[1])[0]["fixable"]


def test_statistics_without_diagnostics_prints_nothing(tmp_path, capsys):
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    assert run(capsys, "--statistics", str(tmp_path))[:2] == (0, "")


# --show-fixes -------------------------------------------------------------------------------------------
def test_show_fixes_lists_what_fix_would_apply(example, capsys):
    status, out, _ = run(capsys, "--show-fixes", ".")
    assert status == 1
    report, fixes, end = out.split("\n\n")
    # the two diagnostics, each with its help line
    assert [line.startswith("  help: ") for line in report.splitlines()] == [False, True, False, True]
    assert end.splitlines()[0] == "Found 2 errors."
    assert fixes.splitlines() == [
        "2 fixes available with --fix:",
        "  conftest.py:6:12: SLK101 (mutable-fixture-value): Drop scope='session': build the value for each test",
        "  test_users.py:2:5: SLK201 (test-mutates-shared-fixture): Deep-copy 'shared_config' at the start of the test",
    ]
    assert (example / "conftest.py").read_text() == CONFTEST  # nothing written


def test_show_fixes_lists_unsafe_fixes_apart(example, capsys):
    (example / "conftest.py").write_text(OPAQUE_CONFTEST)
    out = run(capsys, "--show-fixes", ".")[1]
    assert "\n2 fixes available with --fix --unsafe-fixes:\n  conftest.py:6:12: SLK101 " in out
    assert "available with --fix:" not in out


def test_show_fixes_lists_what_fix_applied(example, capsys):
    status, out, _ = run(capsys, "--fix", "--show-fixes", ".")
    assert status == 0  # nothing remains after --fix
    assert out.startswith("Fixed 1 diagnostic:\n- conftest.py:\n    1 × SLK101 (mutable-fixture-value)\n\nFound ")
    assert run(capsys, "--fix", "--show-fixes", ".")[1] == "No fixes applied\n\nAll checks passed!\n"


def test_show_fixes_with_diff_goes_to_stderr(example, capsys):
    status, out, err = run(capsys, "--diff", "--show-fixes", ".")
    assert status == 1 and out.startswith("--- a/conftest.py\n+++ b/conftest.py\n")
    assert "Would fix 1 diagnostic:\n- conftest.py:\n    1 × SLK101 (mutable-fixture-value)" in err
    assert (example / "conftest.py").read_text() == CONFTEST


def test_show_fixes_keeps_machine_formats_parseable(example, capsys):
    status, out, err = run(capsys, "--show-fixes", "--format", "json", ".")
    assert len(json.loads(out)) == 2
    assert "2 fixes available with --fix:" in err


def test_show_fixes_without_fixes(tmp_path, capsys):
    (tmp_path / "test_bad.py").write_text("def test_broken(:\n")
    assert run(capsys, "--show-fixes", str(tmp_path))[1].endswith("\nNo fixes available\n\nFound 1 error.\n")


# --output-file ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "grouped"])
def test_output_file(example, capsys, fmt):
    target = example / "reports" / f"out.{fmt}"  # the directory is created
    status, out, _ = run(capsys, "--format", fmt, "--output-file", str(target), ".")
    assert status == 1 and out == ""
    written = target.read_text(encoding="utf-8")
    assert "SLK101" in written and "SLK201" in written
    if fmt in ("json", "sarif"):
        json.loads(written)


def test_output_file_gets_statistics_and_fixes_too(example, capsys):
    target = example / "out.txt"
    run(capsys, "--statistics", "--show-fixes", "--output-file", str(target), ".")
    text = target.read_text()
    assert text.startswith("1  SLK101  [*]  mutable-fixture-value\n") and "2 fixes available with --fix:" in text


def test_output_file_that_cannot_be_written_exits_2(example, capsys):
    (example / "blocker").write_text("")
    status, out, err = run(capsys, "--output-file", str(example / "blocker" / "out.txt"), ".")
    assert status == 2 and out == ""
    assert err.startswith("sessionlint: error: cannot write --output-file") and err.count("\n") == 1


# stdin ---------------------------------------------------------------------------------------------------------
def test_stdin_uses_the_given_filename_and_its_conftest(example, capsys, monkeypatch):
    (example / "tests").mkdir()
    status, out, _ = run(
        capsys, "-", "--stdin-filename", "test_users.py", stdin=TEST_USERS.encode(), monkeypatch=monkeypatch
    )
    assert status == 1
    assert out.startswith("test_users.py:2:5: SLK201 test 'test_create_user' mutates session-scoped fixture 'shared_config' (conftest.py:5)")  # fmt: skip
    assert "SLK101" not in out  # only the buffer's diagnostics
    # in a directory without a conftest.py defining it, the fixture is unknown: nothing to report
    status, out, _ = run(
        capsys, "-", "--stdin-filename", "/elsewhere/test_users.py", stdin=TEST_USERS.encode(), monkeypatch=monkeypatch
    )
    assert (status, out) == (0, "All checks passed!\n")


def test_stdin_filename_alone_reads_stdin(example, capsys, monkeypatch):
    status, out, _ = run(capsys, "--stdin-filename", "test_users.py", stdin=TEST_USERS.encode(), monkeypatch=monkeypatch)
    assert status == 1 and out.startswith("test_users.py:2:5: SLK201")


def test_stdin_json_names_the_file_and_computes_edits_from_the_buffer(example, capsys, monkeypatch):
    (example / "test_users.py").write_text("")  # the file on disk is not what is linted
    status, out, _ = run(
        capsys, "-", "--stdin-filename", "test_users.py", "--format", "json",
        stdin=TEST_USERS.encode(), monkeypatch=monkeypatch,
    )  # fmt: skip
    [item] = json.loads(out)
    assert item["filename"] == str(example / "test_users.py")
    assert {e["filename"] for e in item["fix"]["edits"]} == {str(example / "test_users.py")}


def test_stdin_without_a_filename_reports_dash(example, capsys, monkeypatch):
    status, out, _ = run(capsys, "-", stdin=TEST_USERS.encode(), monkeypatch=monkeypatch)
    assert status == 1 and out.startswith("-:2:5: SLK201 ")


def test_stdin_fix_writes_the_fixed_source_to_stdout(example, capsys, monkeypatch):
    status, out, err = run(
        capsys, "-", "--fix", "--stdin-filename", "test_users.py", stdin=TEST_USERS.encode(), monkeypatch=monkeypatch
    )
    assert status == 0 and out == FIXED_TEST_USERS and err == ""
    assert (example / "test_users.py").read_text() == TEST_USERS  # nothing written


def test_stdin_fix_of_a_conftest(example, capsys, monkeypatch):
    status, out, _ = run(
        capsys, "-", "--fix", "--stdin-filename", "conftest.py", stdin=CONFTEST.encode(), monkeypatch=monkeypatch
    )
    assert status == 0 and out == CONFTEST.replace('@pytest.fixture(scope="session")', "@pytest.fixture")


def test_stdin_fix_reports_what_remains_on_stderr(example, capsys, monkeypatch):
    (example / "conftest.py").write_text(OPAQUE_CONFTEST)
    status, out, err = run(
        capsys, "-", "--fix", "--show-fixes", "--stdin-filename", "conftest.py",
        stdin=OPAQUE_CONFTEST.encode(), monkeypatch=monkeypatch,
    )  # fmt: skip
    assert status == 0 and out == OPAQUE_CONFTEST  # the fix is unsafe: not applied
    assert err.startswith("conftest.py:6:12: SLK101 ") and err.endswith("No fixes applied\n")


def test_stdin_fix_without_diagnostics_echoes_the_bytes(example, capsysbinary, monkeypatch):
    source = "# -*- coding: latin-1 -*-\r\ndef test_ok():\r\n    assert 'caf\xe9'\r\n".encode("latin-1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source)))
    assert main(["--no-cache", "-", "--fix", "--stdin-filename", "test_ok.py"]) == 0
    assert capsysbinary.readouterr().out == source


def test_stdin_fix_keeps_the_encoding(example, capsysbinary, monkeypatch):
    source = ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + TEST_USERS).encode("latin-1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source)))
    assert main(["--no-cache", "-", "--fix", "--stdin-filename", "test_users.py"]) == 0
    out = capsysbinary.readouterr().out
    assert out.decode("latin-1").startswith("# -*- coding: latin-1 -*-\n# caf\xe9\n")
    assert "import copy" in out.decode("latin-1")


def test_stdin_fix_keeps_crlf(example, capsys, monkeypatch):
    crlf = TEST_USERS.replace("\n", "\r\n")
    status, out, _ = run(
        capsys, "-", "--fix", "--stdin-filename", "test_users.py", stdin=crlf.encode(), monkeypatch=monkeypatch
    )
    assert status == 0 and out.replace("\r\n", "\n") == FIXED_TEST_USERS and "\r\n" in out


def test_stdin_fix_of_unparsable_source_echoes_it(example, capsys, monkeypatch):
    broken = b"def test_broken(:\n"
    status, out, err = run(capsys, "-", "--fix", "--stdin-filename", "test_b.py", stdin=broken, monkeypatch=monkeypatch)
    assert status == 0 and out == broken.decode() and "SLK001" in err


def test_stdin_that_cannot_be_decoded(example, capsys, monkeypatch):
    status, out, err = run(capsys, "-", "--stdin-filename", "test_b.py", stdin=b"x = '\xff'\n", monkeypatch=monkeypatch)
    assert status == 2 and err.startswith("sessionlint: error: test_b.py: not valid utf-8")


def test_stdin_diff(example, capsys, monkeypatch):
    status, out, _ = run(
        capsys, "-", "--diff", "--stdin-filename", "test_users.py", stdin=TEST_USERS.encode(), monkeypatch=monkeypatch
    )
    assert status == 1
    assert out.startswith("--- a/test_users.py\n+++ b/test_users.py\n") and "+import copy\n" in out


def test_stdin_excluded_file(example, capsys, monkeypatch):
    (example / "pyproject.toml").write_text('[tool.sessionlint]\nextend-exclude = ["vendored"]\n')
    args = ("-", "--stdin-filename", "vendored/test_users.py")
    assert run(capsys, *args, stdin=TEST_USERS.encode(), monkeypatch=monkeypatch)[:2] == (0, "All checks passed!\n")
    status, out, _ = run(capsys, *args, "--fix", stdin=TEST_USERS.encode(), monkeypatch=monkeypatch)
    assert (status, out) == (0, TEST_USERS)


def test_stdin_as_a_subprocess(example):
    """What an editor does: pipe the buffer, read the fixed source back."""
    proc = subprocess.run(
        [sys.executable, "-m", "sessionlint", "--no-cache", "--fix", "--stdin-filename", "test_users.py", "-"],
        input=TEST_USERS.encode(), capture_output=True,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.decode() == FIXED_TEST_USERS


# sessionlint rule -------------------------------------------------------------------------------------------
def test_rule_prints_the_documentation(capsys):
    assert main(["rule", "SLK201"]) == 0
    assert capsys.readouterr().out == RULES["SLK201"].docs()
    assert main(["rule", "slk201"]) == 0
    assert capsys.readouterr().out == RULES["SLK201"].docs()
    assert main(["rule", "test-mutates-shared-fixture"]) == 0
    assert capsys.readouterr().out == RULES["SLK201"].docs()


def test_explain_is_an_alias(capsys):
    assert main(["--explain", "SLK101"]) == 0
    assert capsys.readouterr().out == RULES["SLK101"].docs()
    assert main(["explain", "SLK101"]) == 0
    assert capsys.readouterr().out == RULES["SLK101"].docs()


def test_rule_all_lists_code_name_and_fixability(capsys):
    assert main(["rule", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(RULES)
    for line in lines:
        code, name, label, fix = line.split()[:4]
        assert name == RULES[code].name and label == "fix:" and fix == RULES[code].fix


def test_rule_as_json(capsys):
    assert main(["rule", "--all", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in listed] == sorted(RULES)
    assert set(listed[0]) == {"code", "name", "summary", "fix", "url"}
    assert main(["rule", "SLK101", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["explanation"] == RULES["SLK101"].docs()


def test_unknown_rule_exits_2(capsys):
    assert main(["rule", "SLK999"]) == 2
    assert capsys.readouterr().err == "sessionlint: error: unknown rule 'SLK999' (see `sessionlint rule --all`)\n"
    assert main(["--explain", "nope"]) == 2


@pytest.mark.parametrize("fmt", ["grouped", "github", "sarif"])
def test_statistics_supports_text_and_json_only(example, capsys, fmt):
    status, out, err = run(capsys, "--statistics", "--format", fmt, ".")
    assert (status, out) == (2, "")
    assert err == f"sessionlint: error: --statistics supports --format text or json, not {fmt}\n"


def test_statistics_honours_json(example, capsys):
    status, out, err = run(capsys, "--statistics", "--format", "json", ".")
    assert status == 1 and err == ""
    assert [(row["code"], row["count"]) for row in json.loads(out)] == [("SLK101", 1), ("SLK201", 1)]
    assert "Found" not in run(capsys, "--statistics", ".")[1]  # as ruff: no summary under the table
