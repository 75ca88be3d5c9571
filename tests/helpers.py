"""Helpers shared by the test modules."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from sessionlint.config import Settings
from sessionlint.engine import Engine

# Golden samples of rules not implemented yet: test_samples expects them to fail (strict xfail),
# the family snapshots leave them out until they pass.
PENDING_SAMPLES: dict[str, str] = {}
EXPECT_RE = re.compile(r"#\s*expect:\s*(SLK\d{3}(?:\s*,\s*SLK\d{3})*)")


def lint(root: Path, settings: Settings | None = None, **kwargs):
    settings = settings or Settings(root=str(root))
    return Engine(settings, **kwargs).lint([str(root)])


def found(root: Path, settings: Settings | None = None) -> list[tuple[str, int, str]]:
    """(relative path, line, code) for every diagnostic under ``root``."""
    result = lint(root, settings)
    assert not result.errors, result.errors
    return sorted((str(Path(d.path).relative_to(root)), d.line, d.code) for d in result.diagnostics)


def expected(root: Path) -> list[tuple[str, int, str]]:
    """(relative path, line, code) for every ``# expect: CODE`` mark under ``root``."""
    marks = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT_RE.search(line)
            if match:
                for code in match.group(1).split(","):
                    marks.append((str(path.relative_to(root)), number, code.strip()))
    return sorted(marks)


def shown(diagnostic) -> str:
    """A diagnostic's message and its remedy (the text face's ``help:`` line) on one line."""
    if diagnostic.fix_title:
        return f"{diagnostic.message} | help: {diagnostic.fix_title}"
    return diagnostic.message


def diags(root: Path, code: str, settings: Settings | None = None) -> list[tuple[int, int, str]]:
    """(line, column, shown text) of every ``code`` diagnostic under ``root``."""
    result = lint(root, settings)
    assert not result.errors, result.errors
    return [(d.line, d.col, shown(d)) for d in result.diagnostics if d.code == code]


def lines(root: Path, code: str) -> list[int]:
    return [line for line, _col, _msg in diags(root, code)]


def fix(root: Path, *extra: str) -> int:
    """``sessionlint --fix`` (uncached, isolated from any user config) on ``root``; 1 when it rewrote files."""
    from sessionlint.cli import main

    return main(["--fix", "--exit-non-zero-on-fix", "--no-cache", "--isolated", "-q", *extra, str(root)])


# the README's example: SLK101 in conftest.py, SLK201 in test_users.py
CONFTEST = (
    "import pytest\n\n\n"
    '@pytest.fixture(scope="session")\n'
    "def shared_config():\n"
    '    return {"database_url": "sqlite:///test.db", "users": []}\n'
)
TEST_USERS = (
    "def test_create_user(shared_config):\n"
    '    shared_config["users"].append("alice")   # leaks into every later test\n'
    '    assert shared_config["users"] == ["alice"]\n'
)


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative name -> text) under ``root``; returns ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def write_project(root: Path, files: dict[str, str]) -> Path:
    """A project under ``root`` (an empty ``pyproject.toml`` marks it) holding ``files``, whose texts
    are dedented and lose their leading newlines, so they can be written indented in the test."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("")
    return write(root, {name: textwrap.dedent(text).lstrip("\n") for name, text in files.items()})


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """``sessionlint --no-cache ARGV``: (exit status, stdout, stderr)."""
    from sessionlint.cli import main

    status = main(["--no-cache", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err
