"""The flake8 face: ``flake8 --select SLK``. Reports what the CLI reports; never fixes.

flake8 hands over one file at a time. Fixture resolution still reads the
file's conftest.py chain and plugin modules from disk (kept in memory for the
rest of the process), so cross-file diagnostics match the CLI's.
"""

from __future__ import annotations

import ast
import os
from typing import Iterator

from sessionlint import __version__, config
from sessionlint.engine import Engine

_ENGINES: dict[str, Engine] = {}


def _engine_for(path: str) -> Engine:
    root = config.find_root(path)
    engine = _ENGINES.get(root)
    if engine is None:
        loader = getattr(config, "settings_for_path", None)
        settings = loader(path) if loader is not None else config.load(root)[0]
        engine = _ENGINES[root] = Engine(settings, jobs=1, cache_dir=None)
    return engine


class SessionlintChecker:
    name = "sessionlint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str] | None = None) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if self.filename in ("-", "stdin"):
            path = os.path.abspath("stdin.py")
        else:
            path = os.path.abspath(self.filename)
        engine = _engine_for(path)
        text = "".join(self.lines) if self.lines is not None else None
        overrides = {path: text} if text is not None else {}
        result = engine.lint([], overrides, files=[path])
        for diag in result.diagnostics:
            if diag.path == path and diag.code != "SLK001":  # flake8 reports syntax errors itself (E999)
                yield diag.line, diag.col - 1, f"{diag.code} {diag.message}", type(self)
