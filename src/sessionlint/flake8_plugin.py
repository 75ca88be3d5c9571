"""The flake8 face: ``flake8 --select SLK``. Reports what the CLI reports; never fixes.

flake8 hands over one file at a time. Fixture resolution still reads the
file's conftest.py chain and plugin modules from disk (kept in memory for the
rest of the process), bounded by pytest's rootdir, so cross-file diagnostics
match the CLI's.

``# noqa`` is flake8's business (it honours ``--disable-noqa``), so nothing is
filtered here. The ``exclude``/``extend-exclude`` of ``[tool.sessionlint]``
apply, as in the CLI. A configuration that cannot be used is reported as one
``SLK000`` line per file (flake8 exits non-zero; other plugins' output is
kept), not raised: a plugin's exception would abort the whole flake8 run.
"""

from __future__ import annotations

import ast
import os
from typing import Iterator

from sessionlint import __version__, config
from sessionlint.engine import Engine
from sessionlint.rootdir import find_rootdir

_ENGINES: dict[tuple[str, object], Engine] = {}


def _engine_for(path: str) -> Engine:
    settings = config.settings_for_path(path)  # raises ConfigError
    root = find_rootdir([path])
    key = (root, settings)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = Engine(settings, jobs=1, cache_dir=None, rootdir=root)
        engine.honour_noqa = False
    return engine


class SessionlintChecker:
    name = "sessionlint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str] | None = None) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if self.filename in ("-", "stdin"):
            path = os.path.abspath("test_stdin.py")  # flake8 gives no name: take it for a test module
        else:
            path = os.path.abspath(self.filename)
        try:
            engine = _engine_for(path)
        except config.ConfigError as exc:
            yield 1, 0, f"SLK000 sessionlint configuration error: {exc}", type(self)
            return
        if engine.settings.excluded_path(path):
            return
        text = "".join(self.lines) if self.lines is not None else None
        overrides = {path: text} if text is not None else {}
        result = engine.lint([], overrides, files=[path])
        for diag in result.diagnostics:
            if diag.path == path and diag.code != "SLK001":  # flake8 reports syntax errors itself (E999)
                yield diag.line, diag.col - 1, f"{diag.code} {diag.message}", type(self)
