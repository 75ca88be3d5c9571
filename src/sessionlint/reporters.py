"""Output formats. Each reporter turns diagnostics into text; the CLI writes it."""

from __future__ import annotations

import os
from typing import Callable, Sequence

from sessionlint.model import Diagnostic

Reporter = Callable[[Sequence[Diagnostic]], str]
REPORTERS: dict[str, Reporter] = {}


def reporter(name: str) -> Callable[[Reporter], Reporter]:
    def register(fn: Reporter) -> Reporter:
        REPORTERS[name] = fn
        return fn

    return register


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it is below it."""
    if path == "-" or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith(os.pardir + os.sep) else rel


@reporter("text")
def text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(f"{display_path(d.path)}:{d.line}:{d.col}: {d.code} {d.message}\n" for d in diagnostics)
