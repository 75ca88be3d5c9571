"""The flake8 and pre-commit faces, run for real as subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import lint

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures_samples" / "example"
BIN = Path(sys.executable).parent


def _example(tmp_path: Path) -> Path:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    (root / "pyproject.toml").touch()
    return root


def test_flake8_reports_what_the_cli_reports(tmp_path: Path) -> None:
    root = _example(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "SLK", "."], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stderr
    flake8 = sorted(
        (line.split(":")[0].removeprefix("./"), int(line.split(":")[1]), line.split(": ", 1)[1].split()[0])
        for line in proc.stdout.splitlines()
    )
    cli = sorted((str(Path(d.path).relative_to(root)), d.line, d.code) for d in lint(root).diagnostics)
    assert flake8 == cli == [("conftest.py", 6, "SLK101"), ("test_users.py", 2, "SLK201")]


def test_flake8_single_file_still_resolves_conftest(tmp_path: Path) -> None:
    root = _example(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "SLK", "test_users.py"], cwd=root, capture_output=True, text=True
    )
    assert "SLK201" in proc.stdout and "shared_config" in proc.stdout


def test_flake8_honours_noqa(tmp_path: Path) -> None:
    root = _example(tmp_path)
    users = root / "test_users.py"
    users.write_text(users.read_text().replace("# leaks", "# noqa: SLK201 leaks"))
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "SLK", "test_users.py"], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout == ""


def test_precommit_manifest_is_valid() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"sessionlint", "sessionlint-fix"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["python"]
    assert "--fix" in hooks["sessionlint-fix"]["entry"]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for pre-commit")
def test_precommit_hooks_run(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs this checkout and runs both hooks on a repo with the leak."""
    repo = _example(tmp_path)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    precommit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT)]
    check = subprocess.run([*precommit, "sessionlint", "--all-files"], cwd=repo, env=env, capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "SLK201" in check.stdout and "SLK101" in check.stdout
    fix = subprocess.run([*precommit, "sessionlint-fix", "--all-files"], cwd=repo, env=env, capture_output=True, text=True)
    assert fix.returncode == 1, fix.stdout + fix.stderr  # files were modified
    assert '@pytest.fixture\ndef shared_config' in (repo / "conftest.py").read_text()
    again = subprocess.run([*precommit, "sessionlint-fix", "--all-files"], cwd=repo, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr


def _flake8(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=root, capture_output=True, text=True)


def test_flake8_leaves_noqa_to_flake8(tmp_path: Path) -> None:
    root = _example(tmp_path)
    users = root / "test_users.py"
    users.write_text(users.read_text().replace("# leaks", "# noqa: SLK201 leaks"))
    assert _flake8(root, "--select", "SLK", "test_users.py").stdout == ""
    proc = _flake8(root, "--select", "SLK", "--disable-noqa", "test_users.py")
    assert "SLK201" in proc.stdout  # sessionlint did not filter it away before flake8 saw it


def test_flake8_reports_a_bad_configuration_in_one_line(tmp_path: Path) -> None:
    root = _example(tmp_path)
    (root / "pyproject.toml").write_text('[tool.sessionlint]\nselect = "SLK101"\n')
    (root / "test_style.py").write_text("x=1\n")
    proc = _flake8(root, "--select", "SLK,E225", ".")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "E225" in proc.stdout  # other checks' output is kept
    errors = [line for line in proc.stdout.splitlines() if "SLK000" in line]
    assert errors and all("tool.sessionlint.select must be an array of strings" in e for e in errors)


def test_flake8_honours_the_configured_excludes(tmp_path: Path) -> None:
    root = _example(tmp_path)
    (root / "pyproject.toml").write_text('[tool.sessionlint]\nextend-exclude = ["legacy"]\n')
    (root / "legacy").mkdir()
    shutil.copy(root / "test_users.py", root / "legacy" / "test_old.py")
    shutil.copy(root / "conftest.py", root / "legacy" / "conftest.py")
    proc = _flake8(root, "--select", "SLK", ".", "legacy/test_old.py")
    assert "legacy" not in proc.stdout and "SLK201" in proc.stdout


def test_precommit_hooks_are_serial() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert hooks["sessionlint-fix"]["require_serial"] is True
    assert hooks["sessionlint"]["require_serial"] is True
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "cross-file" in text and "parallel" in text  # the manifest says why


def test_the_repository_lints_itself_clean_and_ci_runs_it() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sessionlint", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and proc.stdout == "All checks passed!\n", proc.stdout + proc.stderr
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert any(line.startswith('"$VENV/bin/sessionlint"') for line in ci)
    assert ci[-1].startswith("exec ") and "pytest" in ci[-1]  # the README's test command stays last


ADMINS = (
    "def test_create_admin(shared_config):\n"
    '    shared_config["users"].append("root")\n'
    '    assert "root" in shared_config["users"]\n'
)
APP = "def test_connection(url):\n    return url\n"  # application code named like a test: never rewritten


def _cross_file_project(root: Path) -> Path:
    """A conftest fixture mutated by tests in two files: its fixes cross files."""
    root.mkdir()
    (root / "pyproject.toml").write_text("")
    (root / "conftest.py").write_text((EXAMPLE / "conftest.py").read_text())
    (root / "test_users.py").write_text((EXAMPLE / "test_users.py").read_text())
    (root / "tests").mkdir()
    (root / "tests" / "test_admins.py").write_text(ADMINS)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(APP)
    return root


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*.py"))
        if ".git" not in p.parts and ".sessionlint_cache" not in p.parts
    }


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for pre-commit")
def test_the_fix_hook_equals_sessionlint_fix(tmp_path: Path) -> None:
    """The `sessionlint-fix` hook (run by pre-commit on every staged .py file) leaves the tree
    `sessionlint --fix` leaves, cross-file fixes included."""
    repo = _cross_file_project(tmp_path / "repo")
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    hook = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "sessionlint-fix", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert hook.returncode == 1, hook.stdout + hook.stderr  # files were modified
    files = sorted(str(p.relative_to(copy)) for p in copy.rglob("*.py"))  # what pre-commit passes
    cli = subprocess.run(
        [str(BIN / "sessionlint"), "--no-cache", "--fix", *files], cwd=copy, capture_output=True, text=True
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    fixed = _tree(copy)
    assert fixed != _tree(_cross_file_project(tmp_path / "original"))  # something was fixed...
    assert fixed["src/app.py"] == APP  # ...but not the application code
    assert "@pytest.fixture\ndef shared_config" in fixed["conftest.py"]  # the cross-file fix: scope dropped
    assert _tree(repo) == fixed


def test_flake8_follows_the_configuration_hierarchy(tmp_path: Path) -> None:
    """Each file under its nearest configuration, sessionlint.toml included, as in the CLI."""
    root = tmp_path / "mono"
    root.mkdir()
    (root / "pyproject.toml").write_text("")
    for name, config in (("a", ("pyproject.toml", '[tool.sessionlint]\nignore = ["SLK201"]\n')),
                         ("b", (".sessionlint.toml", 'ignore = ["SLK101"]\n'))):  # fmt: skip
        shutil.copytree(EXAMPLE, root / name)
        (root / name / config[0]).write_text(config[1])
    proc = _flake8(root, "--select", "SLK", "b", "a")
    found = sorted((line.split(":")[0].removeprefix("./"), line.split(": ", 1)[1].split()[0]) for line in proc.stdout.splitlines())
    assert found == [("a/conftest.py", "SLK101"), ("b/test_users.py", "SLK201")], proc.stdout + proc.stderr
