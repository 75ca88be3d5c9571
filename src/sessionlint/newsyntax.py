"""Which newer Python a file that does not parse needs, when the syntax error says so.

A heuristic on the failing line and the parser's message, enough to tell
"your file is fine, run sessionlint under Python 3.12" from a real typo:
t-strings (3.14), PEP 695 ``type`` aliases and generic ``def f[T]``/``class
C[T]`` (3.12), and f-strings reusing their quotes or nesting (3.12).
"""

from __future__ import annotations

import re
import sys

_CHECKS: tuple[tuple[tuple[int, int], str, re.Pattern[str]], ...] = (
    ((3, 14), "t-strings", re.compile(r"""(?<![\w"'])[tT][rR]?["']|(?<![\w"'])[rR][tT]["']""")),
    ((3, 12), "type aliases (PEP 695)", re.compile(r"^\s*type\s+\w+\s*(\[.*\])?\s*=")),
    ((3, 12), "type parameters (PEP 695)", re.compile(r"^\s*(async\s+)?(def|class)\s+\w+\s*\[")),
)


def needed_version(line: str, message: str) -> str | None:
    """``"3.12 (type aliases (PEP 695))"`` when ``line`` uses syntax newer than this Python."""
    for version, feature, pattern in _CHECKS:
        if sys.version_info < version and pattern.search(line):
            return f"{version[0]}.{version[1]} ({feature})"
    if sys.version_info < (3, 12) and message.startswith("f-string"):
        return "3.12 (f-strings reusing quotes or nesting)"
    return None
