"""The events one scan yields (a write or a restoration of a target) and the statement helpers of the walk."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from sessionlint.syntax import const_str

if TYPE_CHECKING:
    from sessionlint.rules.global_state.targets import Target


# --------------------------------------------------------------------------------------------
# events


@dataclass(slots=True)
class Event:
    target: Target
    node: ast.AST
    pos: tuple[int, int]
    write: bool = True  # False: restores only (monkeypatch call, reset, cleanup callback)
    restoring: bool = False  # puts a value back: a deletion, a saved value, a reset
    deletes: bool = False  # a deletion (del, pop, remove, unsetenv, delattr): a change of its own
    anywhere: bool = False  # restores whatever its position (nested function, cleanup callback, helper)
    before: bool = False  # restores what is written after it (monkeypatch, mock.patch calls)
    protected: bool = False  # inside a with-block that restores it, or under a patch decorator
    in_finally: bool = False
    after_yield: bool = False
    what: str = ""
    advice: str = ""  # what to use instead, with "{mp}" for the monkeypatch object
    call: str = ""  # the monkeypatch call that replaces the statement: ".setenv(...)"
    unsafe_call: bool = False  # the rewrite changes behaviour (sys.path.append -> syspath_prepend)
    stmt: ast.stmt | None = None  # the whole statement, when the write is one
    attr: str = ""  # for monkeypatch.setattr rewrites: the attribute's dotted name (does it exist?)
    assign: bool = False  # a plain assignment of a value (``mod.X = v``, ``setattr(mod, "X", v)``)
    fragile: bool = False  # put back by a later plain statement, after asserts: only if the test passes
    reset: str = ""  # a plain assignment of a fresh value (``{}``, ``0``, ``Local()``): its ``ast.dump``
    naming: tuple = ()  # (verb, attribute, object as written): the target's kind is settled across files


@dataclass(slots=True)
class _State:
    protect: tuple = ()
    in_finally: bool = False
    nested: bool = False


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, *test.comparators]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        const_str(s) == "__main__" for s in sides
    )


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements in source order, compound bodies included, nested functions and classes not."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list):
                yield from _own_statements(inner)
        for handler in getattr(stmt, "handlers", None) or []:
            yield from _own_statements(handler.body)
        for case in getattr(stmt, "cases", None) or []:
            yield from _own_statements(case.body)


def _simple_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in _own_statements(body):
        if not isinstance(
            stmt,
            (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar, ast.Match,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
        ):  # fmt: skip
            yield stmt
