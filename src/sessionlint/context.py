"""The per-file view that extraction and per-file rules share.

Analysis runs on the stdlib ``ast``: it parses about ten times faster than
libcst and carries exact positions without a metadata pass. libcst is
spent only where a fix is built (``fixes.py``).
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Iterator

from sessionlint.model import Diagnostic, FileFacts, Fix, FixtureDef, Span, TestDef
from sessionlint.modules import ModuleFinder
from sessionlint.sources import line_starts
from sessionlint.syntax import FunctionNode, dotted_parts

__all__ = ["FileContext", "Function", "FunctionNode", "any_within", "dotted_parts"]


def any_within(offsets: list[int], start: int, end: int) -> bool:
    """Whether one of the sorted ``offsets`` (hits of a search in a file's text) lies in ``[start, end)``."""
    index = bisect_left(offsets, start)
    return index < len(offsets) and offsets[index] < end


@dataclass(slots=True)
class Function:
    """A function the rules look at: a fixture, a test, or neither."""

    node: FunctionNode
    cls: str | None
    fixture: FixtureDef | None = None
    test: TestDef | None = None

    @property
    def qualname(self) -> str:
        return f"{self.cls}.{self.node.name}" if self.cls else self.node.name


@dataclass(slots=True)
class FileContext:
    path: str
    text: str
    lines: list[str]
    tree: ast.Module
    facts: FileFacts
    settings: object  # sessionlint.config.Settings
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    module_globals: dict[str, ast.expr] = field(default_factory=dict)
    functions: list[Function] = field(default_factory=list)
    module_functions: dict[str, FunctionNode] = field(default_factory=dict)
    # what the families' listeners collected during the one walk over the file, by family
    collected: dict[str, object] = field(default_factory=dict)
    # the run's module search (sessionlint.modules.ModuleFinder); None: every import may be the project's
    modules: ModuleFinder | None = None
    _starts: list[int] | None = None

    def line_starts(self) -> list[int]:
        """The offset in ``text`` of each line's start (and one past the last line), computed once."""
        if self._starts is None:
            self._starts = line_starts(self.text, self.lines)
        return self._starts

    def text_range(self, first: int, last: int) -> tuple[int, int]:
        """Where lines ``first`` to ``last`` (1-based, inclusive) start and end in ``text``."""
        starts = self.line_starts()
        top = len(starts) - 1
        return starts[min(first - 1, top)], starts[min(last, top)]

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node``: ``ast.get_source_segment`` without splitting the file again."""
        try:
            first, last = node.lineno, node.end_lineno  # type: ignore[attr-defined]
            start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ast.unparse(node)
        if last is None or end is None or last > len(self.lines):
            return ast.unparse(node)
        starts = self.line_starts()
        return self.text[starts[first - 1] + self.col(first, start) - 1 : starts[last - 1] + self.col(last, end) - 1]

    # positions -----------------------------------------------------------
    def col(self, lineno: int, col_offset: int) -> int:
        """1-based character column from ast's 0-based UTF-8 byte offset."""
        if 0 < lineno <= len(self.lines):
            line = self.lines[lineno - 1]
            if not line.isascii():
                return len(line.encode("utf-8")[:col_offset].decode("utf-8", "ignore")) + 1
        return col_offset + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = self.col(line, getattr(node, "col_offset", 0))
        end_col = self.col(end_line, getattr(node, "end_col_offset", None) or 0)
        return Span(line, col, end_line, end_col)

    def def_span(self, node: FunctionNode) -> Span:
        """The span of a function's name, where ``def`` diagnostics point."""
        line = node.lineno
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        idx = text.find(node.name, node.col_offset)
        col = (len(text[:idx]) + 1) if idx >= 0 else self.col(line, node.col_offset)
        return Span(line, col, line, col + len(node.name))

    def report(
        self, code: str, where: Span | ast.AST, message: str, fix: Fix | None = None, **fields: str
    ) -> None:
        """Record a diagnostic; ``fields`` are its structured fields (``fixture=``, ``owner=``...)."""
        span = where if isinstance(where, Span) else self.span(where)
        self.facts.diagnostics.append(
            Diagnostic(self.path, span.line, span.col, code, message, span.end_line, span.end_col, fix, **fields)
        )

    def owner_fields(self, fn: Function) -> dict[str, str]:
        """The structured fields of a diagnostic about ``fn`` (and, for a fixture, its own value)."""
        fixture = fn.fixture
        fields = {"owner": fn.qualname, "owner_kind": "test" if fn.test is not None else "fixture" if fixture else ""}
        if fixture is not None:
            fields.update(fixture=fixture.name, scope=fixture.scope or "", defined=f"{self.path}:{fixture.span.line}")
        return fields

    # names -----------------------------------------------------------------
    def qualify(self, node: ast.AST) -> str | None:
        """The dotted name an expression refers to, with import aliases resolved.

        ``pt.fixture`` -> ``pytest.fixture`` after ``import pytest as pt``;
        ``environ`` -> ``os.environ`` after ``from os import environ``.
        """
        found = dotted_parts(node)
        if found is None:
            return None
        name, attrs = found
        return ".".join([self.aliases.get(name, name), *attrs])

    def runs_under_hypothesis(self, node: FunctionNode) -> bool:
        """Whether a ``@given`` (hypothesis) decorator runs the function: it cannot take function
        fixtures such as ``monkeypatch`` (one value would serve every generated example)."""
        for dec in node.decorator_list:
            qual = self.qualify(dec.func if isinstance(dec, ast.Call) else dec) or ""
            if qual.split(".")[-1] == "given" or qual.startswith("hypothesis"):
                return True
        return False

    def fixtures(self) -> Iterator[Function]:
        return (f for f in self.functions if f.fixture is not None)

    def tests(self) -> Iterator[Function]:
        return (f for f in self.functions if f.test is not None)
