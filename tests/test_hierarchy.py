"""Hierarchical configuration (as ruff's), --show-settings, --show-files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionlint.cli import main
from test_cli import CONFTEST, TEST_USERS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["--no-cache", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _project(directory: Path, config: tuple[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "conftest.py").write_text(CONFTEST)
    (directory / "test_users.py").write_text(TEST_USERS)
    if config is not None:
        (directory / config[0]).write_text(config[1])
    return directory


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch) -> Path:
    """Two sub-projects that ignore different rules, one in pyproject.toml, one in sessionlint.toml."""
    (tmp_path / "pyproject.toml").write_text("")
    _project(tmp_path / "a", ("pyproject.toml", '[tool.sessionlint]\nignore = ["SLK201"]\n'))
    _project(tmp_path / "b", ("sessionlint.toml", 'ignore = ["SLK101"]\n'))
    _project(tmp_path / "c")  # governed by no configuration: the defaults
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _codes(out: str) -> list[tuple[str, str]]:
    return [(line.split(":")[0], line.split(": ")[1].split()[0]) for line in out.splitlines() if ": SLK" in line]


def test_each_file_is_governed_by_its_nearest_configuration(monorepo, capsys):
    status, ab, _ = run(capsys, "a", "b", "c")
    assert status == 1
    assert _codes(ab) == [
        ("a/conftest.py", "SLK101"),
        ("b/test_users.py", "SLK201"),
        ("c/conftest.py", "SLK101"),
        ("c/test_users.py", "SLK201"),
    ]
    assert run(capsys, "c", "b", "a")[1] == ab  # the order of the arguments does not matter
    assert run(capsys, ".")[1] == ab


def test_a_file_argument_is_governed_by_its_own_configuration(monorepo, capsys):
    assert _codes(run(capsys, "b/test_users.py", "a/test_users.py")[1]) == [("b/test_users.py", "SLK201")]


def test_config_and_isolated_override_the_hierarchy(monorepo, capsys):
    (monorepo / "all.toml").write_text('select = ["SLK101"]\n')
    assert {code for _, code in _codes(run(capsys, "--config", "all.toml", "a", "b")[1])} == {"SLK101"}
    assert len(_codes(run(capsys, "--config", "all.toml", "a", "b")[1])) == 2
    assert len(_codes(run(capsys, "--isolated", "b", "a")[1])) == 4


def test_command_line_selection_applies_under_every_configuration(monorepo, capsys):
    assert _codes(run(capsys, "--ignore", "SLK201", "b", "a")[1]) == [("a/conftest.py", "SLK101")]


@pytest.mark.parametrize(
    ("files", "winner"),
    [
        ({".sessionlint.toml": "SLK201", "sessionlint.toml": "SLK101", "pyproject.toml": "SLK101"}, ".sessionlint.toml"),
        ({"sessionlint.toml": "SLK201", "pyproject.toml": "SLK101"}, "sessionlint.toml"),
        ({"pyproject.toml": "SLK201"}, "pyproject.toml"),
    ],
)
def test_precedence_in_one_directory_as_ruff(tmp_path, capsys, monkeypatch, files, winner):
    _project(tmp_path)
    for name, code in files.items():
        table = "[tool.sessionlint]\n" if name == "pyproject.toml" else ""
        (tmp_path / name).write_text(f'{table}select = ["{code}"]\n')
    monkeypatch.chdir(tmp_path)
    assert {code for _, code in _codes(run(capsys, ".")[1])} == {"SLK201"}
    out = run(capsys, "--show-settings", "test_users.py")[1]
    assert f"Settings path: {tmp_path / winner}\n" in out


def test_a_pyproject_without_the_table_does_not_stop_the_search(tmp_path, capsys, monkeypatch):
    (tmp_path / "sessionlint.toml").write_text('select = ["SLK201"]\n')
    _project(tmp_path / "sub", ("pyproject.toml", "[project]\nname = 'x'\n"))
    monkeypatch.chdir(tmp_path)
    assert _codes(run(capsys, "sub")[1]) == [("sub/test_users.py", "SLK201")]


def test_a_bad_sub_configuration_is_one_line(monorepo, capsys):
    (monorepo / "b" / "sessionlint.toml").write_text('select = "SLK101"\n')
    status, out, err = run(capsys, "a", "b")
    assert status == 2 and out == ""
    assert err == f"sessionlint: error: {monorepo / 'b' / 'sessionlint.toml'}: select must be an array of strings, got a string\n"


def test_unknown_keys_of_a_sub_configuration_are_warned_about(monorepo, capsys):
    (monorepo / "b" / "sessionlint.toml").write_text('ignore = ["SLK101"]\nselekt = ["SLK"]\n')
    err = run(capsys, ".")[2]
    assert "b/sessionlint.toml: unknown key selekt (ignored); did you mean 'select'?" in err


def test_excludes_of_a_sub_configuration_apply_to_its_directory(monorepo, capsys):
    (monorepo / "b" / "sessionlint.toml").write_text('extend-exclude = ["legacy"]\n')
    _project(monorepo / "b" / "legacy")
    _project(monorepo / "a" / "legacy")
    files = run(capsys, "--show-files", ".")[1]
    assert "b/legacy/" not in files and "a/legacy/test_users.py" in files


def test_fix_under_two_configurations(monorepo, capsys):
    status, out, _ = run(capsys, "--fix", "a", "b")
    # a: only SLK101 is reported, so only the conftest is fixed; b: only SLK201, so only the test
    assert (monorepo / "a" / "conftest.py").read_text() != CONFTEST
    assert (monorepo / "a" / "test_users.py").read_text() == TEST_USERS
    assert (monorepo / "b" / "conftest.py").read_text() == CONFTEST
    assert "copy.deepcopy(shared_config)" in (monorepo / "b" / "test_users.py").read_text()
    assert (status, out) == (0, "Found 2 errors (2 fixed, 0 remaining).\n")
    assert run(capsys, "a", "b")[:2] == (0, "All checks passed!\n")


def test_diff_under_two_configurations_writes_nothing(monorepo, capsys):
    status, out, _ = run(capsys, "--diff", "b", "a")
    assert status == 1
    assert "--- a/a/conftest.py" in out and "--- a/b/test_users.py" in out
    assert "a/test_users.py" not in out.replace("b/test_users.py", "") and "--- a/b/conftest.py" not in out
    assert (monorepo / "a" / "conftest.py").read_text() == CONFTEST


# --show-settings, --show-files ---------------------------------------------------------------------
def test_show_settings(monorepo, capsys):
    status, out, err = run(capsys, "--show-settings", "b/test_users.py")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [
        f"Resolved settings for: {monorepo / 'b' / 'test_users.py'}",
        f"Settings path: {monorepo / 'b' / 'sessionlint.toml'}",
    ]
    assert 'select = ["SLK"]' in lines and 'ignore = ["SLK101"]' in lines
    assert f"root = \"{monorepo / 'b'}\"" in lines and "test-file = true" in lines
    assert run(capsys, "--show-settings", "b/test_users.py")[1] == out  # stable
    assert "Settings path: (none: the defaults)" in run(capsys, "--show-settings", "c/conftest.py")[1]
    assert 'ignore = ["SLK101", "SLK5"]' in run(capsys, "--show-settings", "b/test_users.py", "--extend-ignore", "SLK5")[1]
    status, out, err = run(capsys, "--show-settings", "nope.py")
    assert status == 2 and err.startswith("sessionlint: error: --show-settings: nope.py: no such file")


def test_show_files(monorepo, capsys):
    status, out, err = run(capsys, "--show-files", "b", "a", "c")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "a/conftest.py  (a/pyproject.toml)",
        "a/test_users.py  (a/pyproject.toml)",
        "b/conftest.py  (b/sessionlint.toml)",
        "b/test_users.py  (b/sessionlint.toml)",
        "c/conftest.py  (default settings)",
        "c/test_users.py  (default settings)",
    ]
