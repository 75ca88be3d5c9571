"""Deciding, from one function's events, which writes nothing restores."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from sessionlint.model import Diagnostic
from sessionlint.rules.global_state.events import Event
from sessionlint.rules.global_state.targets import covers, Target
from sessionlint.syntax import iter_nodes

# --------------------------------------------------------------------------------------------
# deciding what is restored in one function


def _restored(write: Event, events: list[Event], scope_restores: list[Target]) -> bool:
    if write.protected or any(covers(t, write.target) for t in scope_restores):
        return True
    for other in events:
        if other is write or not covers(other.target, write.target):
            continue
        if other.anywhere:
            return True
        if other.before and other.pos < write.pos:
            return True
        if other.pos > write.pos and not other.before and (other.in_finally or other.after_yield or other.restoring):
            return True
    return False


def _fragile(write: Event, events: list[Event], scope_restores: list[Target], checks: list[tuple[int, int]]) -> bool:
    """A write put back only by a plain later statement with an assert between them: when the assert
    fails, the restore never runs and the change leaks into every later test."""
    if not write.write or write.after_yield or write.in_finally or write.protected or write.restoring:
        return False
    if any(covers(t, write.target) for t in scope_restores):
        return False
    plain = None
    for other in events:
        if other is write or not covers(other.target, write.target):
            continue
        if other.anywhere or (other.before and other.pos < write.pos):
            return False
        if other.pos > write.pos and (other.in_finally or other.after_yield):
            return False
        if other.pos > write.pos and other.write and other.restoring and not other.deletes and plain is None:
            plain = other
    return plain is not None and any(write.pos < pos < plain.pos for pos in checks)


def _checks(fn: ast.AST) -> list[tuple[int, int]]:
    """Where ``fn`` asserts: ``assert`` statements and ``self.assert*(...)`` calls."""
    found = []
    for node in iter_nodes(fn):
        if isinstance(node, ast.Assert) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr.startswith("assert")
        ):
            found.append((node.lineno, node.col_offset))
    return found


def _undoes_earlier(write: Event, events: list[Event]) -> bool:
    """A restoring write that puts back something written before it is cleanup, not a leak."""
    if not write.restoring:
        return False
    return any(
        other.write and other is not write and other.pos < write.pos and covers(write.target, other.target)
        for other in events
    )


def _reassigned(events: list[Event]) -> set[Target]:
    """Attributes and module globals assigned more than once before any yield: the last assignment
    puts the value back (``_config.flag = False`` ... ``_config.flag = True``), so none of them is
    reported. Items of os.environ / sys.modules are not: their usual default is absence, so a second
    value is no restoration."""
    seen: set[Target] = set()
    again: set[Target] = set()
    for e in events:
        if not e.write or not e.assign or e.after_yield or e.in_finally:
            continue
        if e.target[0] in ("attr", "global") and e.target[1] is not None:  # not "extra": one target, many names
            (again if e.target in seen else seen).add(e.target)
    return again


@dataclass(slots=True)
class _Pending:
    diagnostic: Diagnostic
    owner: str  # "test" | "fixture" | "setup" (xunit/unittest) | "body" (collection) | "helper"
    qualname: str
    cls: str | None
    target: Target
    requests: tuple[str, ...] = ()  # fixture names the owner requests (parameters, usefixtures)
    sessionwide: bool = False  # a session-scoped autouse fixture of a conftest: order-dependent only
    # when tests outside the conftest's directory exist (settled across files)
    helpers: tuple[str, ...] = ()  # functions of other modules called where a restore goes (``config.reset``)
    reset: str = ""  # the write assigns this fresh value: silent when the defining module starts with it
    naming: tuple = ()  # (verb, attribute, object as written, what the message says): kind settled across files
    late: tuple[str, ...] = ()  # functions of other modules called plainly after an assert: a restore only
    # if the test passes, when one of them writes the target


@dataclass(slots=True)
class _Extra:
    """An owner beyond fixtures and tests: an xunit/unittest setup, a class or module body run at
    collection, a ``@contextmanager`` helper."""

    kind: str  # "setup" | "body" | "helper"
    label: str  # "setup_module()", "module body", "class body of 'TestX'", ...
    scope: str  # "module" | "class" | "function" | ""
    restores: list  # targets its teardowns put back
