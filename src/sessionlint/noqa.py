"""``# noqa`` comments, read as flake8 reads them.

flake8's grammar (``flake8.defaults.NOQA_INLINE_REGEX``): ``# noqa`` with
any casing of ``noqa``, optionally followed by ``:``, at most one whitespace
character, and codes made of letters then digits, separated by commas
and/or whitespace. A code hides the diagnostics whose code starts with it
(``# noqa: SLK2`` hides SLK201 and SLK202). A ``# noqa:`` followed by no
valid code (``# noqa: because``) is a bare ``# noqa`` and hides every code,
as in flake8. Codes are matched as written (flake8 does not upper-case
them).

The CLI applies these; the flake8 face leaves them to flake8, which owns
``--disable-noqa``.
"""

from __future__ import annotations

import re
from typing import Iterable

NOQA_RE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"[,\s]+")

# A line's directive: None for a bare ``# noqa`` (every code), else the codes it names.
Directive = frozenset[str] | None


def parse_line(line: str) -> tuple[bool, Directive, int]:
    """(found, codes, 1-based column of the comment) for one physical line."""
    if "noqa" not in line.lower():
        return False, None, 0
    match = NOQA_RE.search(line)
    if match is None:
        return False, None, 0
    codes = match.group("codes")
    parsed = frozenset(c for c in _SEPARATOR_RE.split(codes) if c) if codes else None
    return True, parsed, match.start() + 1


# What every ``NOQA_RE`` match starts with, spelled so the engine can jump to the literal "# "
# (an IGNORECASE search tries every character: 15 times slower on the corpus)
_ANY_RE = re.compile("# [nN][oO][qQ][aA]")


def parse(lines: Iterable[str], text: str | None = None) -> dict[int, Directive]:
    """The ``# noqa`` directives of a file, by 1-based line number (``text``: the file's text,
    searched once first: most files have none)."""
    found: dict[int, Directive] = {}
    if text is not None and _ANY_RE.search(text) is None:
        return found
    for number, line in enumerate(lines, 1):
        present, codes, _col = parse_line(line)
        if present:
            found[number] = codes
    return found


def suppresses(directive: Directive, code: str) -> bool:
    """Whether a directive hides a diagnostic with ``code`` (flake8: equal, or a prefix)."""
    return directive is None or code in directive or code.startswith(tuple(directive))
