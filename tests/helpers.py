"""Helpers shared by the test modules."""

from __future__ import annotations

import re
from pathlib import Path

from sessionlint.config import Settings
from sessionlint.engine import Engine

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
