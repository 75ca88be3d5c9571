"""Text edits: line-range replacements between two versions of a file (no libcst, no I/O).

The engine turns a fix into edits (``engine.FixEdits``: apply the fix, diff the
result); the ``json`` and ``sarif`` reporters show them; ``apply_edits`` is the
inverse of ``diff_edits``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from (row, column) up to (end_row, end_column) by ``content``.

    Rows and columns are 1-based and count characters (code points); the end
    is exclusive. An insertion has an empty range (start == end).
    """

    path: str
    row: int
    column: int
    end_row: int
    end_column: int
    content: str


_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split where Python counts lines (``\\n``, ``\\r\\n``, ``\\r``)."""
    return _LINE_RE.findall(text)


def _position(lines: list[str], index: int) -> tuple[int, int]:
    """(row, column) of the start of line ``index``; past the last line, the end of the text."""
    if index < len(lines):
        return index + 1, 1
    if not lines:
        return 1, 1
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return len(lines) + 1, 1
    return len(lines), len(last) + 1


def diff_edits(path: str, old: str, new: str) -> list[Edit]:
    """The fewest line-range replacements that turn ``old`` into ``new``."""
    a, b = split_lines(old), split_lines(new)
    # fixes touch a few lines: match only the middle that differs, or the matcher
    # turns quadratic on files with many repeated lines
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    edits = []
    matcher = difflib.SequenceMatcher(None, a[head : len(a) - tail], b[head : len(b) - tail], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        (row, column), (end_row, end_column) = _position(a, i1), _position(a, i2)
        edits.append(Edit(path, row, column, end_row, end_column, "".join(b[j1:j2])))
    return edits


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits of one file to ``text`` (the inverse of ``diff_edits``)."""
    lines = split_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(row: int, column: int) -> int:
        return starts[min(row - 1, len(lines))] + column - 1

    for edit in sorted(edits, key=lambda e: (e.row, e.column), reverse=True):
        start, end = offset(edit.row, edit.column), offset(edit.end_row, edit.end_column)
        text = text[:start] + edit.content + text[end:]
    return text
