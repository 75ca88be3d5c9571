"""Shared ``ast`` helpers of extraction and the rule families (one copy each).

Walking a function's own body (nested functions, lambdas and classes are
other scopes), its first ``yield``, positions, dotted names, string
constants, short source text for messages, and the one helper that shows a
path relative to the working directory.
"""

from __future__ import annotations

import ast
import os
from typing import Iterator

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


# walking ------------------------------------------------------------------------------------
# Fields that never hold a node worth visiting: names and other strings, numbers, and the
# ``ctx``/``op`` singletons (``Load()``, ``Add()``...). Import aliases have nothing below them.
_NOT_CHILDREN = frozenset({
    "ctx", "op", "ops", "id", "attr", "arg", "asname", "name", "names", "module", "level", "kind",
    "type_comment", "conversion", "is_async", "kwd_attrs", "rest", "tag", "type_ignores", "simple",
})  # fmt: skip
# nodes whose ``value`` is a Python constant, not a node
_LEAVES = (ast.Constant, ast.MatchSingleton)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # per node type, the fields holding nodes, last first


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = () if kind in _LEAVES else tuple(f for f in reversed(kind._fields) if f not in _NOT_CHILDREN)
    _CHILD_FIELDS[kind] = fields
    return fields


def iter_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``root`` (included), parents before children, in ``ast``'s field order
    (statements in source order; a function's decorators after its body).

    What ``ast.walk`` visits minus the ``Load``/``Store``/operator singletons and import
    aliases, at about a third of its cost: a table of the fields that hold nodes replaces
    ``iter_child_nodes``' generic field walk.
    """
    return _walk([root], None)


def own_nodes(fn: FunctionNode) -> Iterator[ast.AST]:
    """Walk ``fn``'s body in source order without entering nested functions, lambdas or classes.

    The nested definition itself is yielded (its decorators and defaults are not walked).
    """
    return _walk(fn.body[::-1], NESTED_SCOPES)


def walk_own(node: ast.AST) -> Iterator[ast.AST]:
    """``iter_nodes`` from ``node`` (included) without entering nested functions, lambdas and classes."""
    if isinstance(node, NESTED_SCOPES):
        yield node
        stack: list = []
        push_children(node, stack)
        yield from _walk(stack, NESTED_SCOPES, enter=False)
    else:
        yield from _walk([node], NESTED_SCOPES, enter=False)


def push_children(node: ast.AST, stack: list) -> None:
    """Push ``node``'s children on ``stack`` to pop in source order (``ast.iter_child_nodes``
    at a fraction of its cost; a list field's ``None``, as ``{**x}``'s key, is pushed too)."""
    fields = _CHILD_FIELDS.get(node.__class__)
    if fields is None:
        fields = _child_fields(node.__class__)
    for name in fields:
        value = getattr(node, name)
        if value is None:
            continue
        if value.__class__ is list:
            stack += value[::-1]  # may hold None (``{**x}`` keys): skipped when popped
        else:
            stack.append(value)


def _walk(stack: list, stop: tuple[type, ...] | None, enter: bool = True) -> Iterator[ast.AST]:
    """Pop, yield, push children. ``stop``: node types whose children are not walked
    (``enter=False``: the nodes themselves are not yielded either)."""
    pop, table = stack.pop, _CHILD_FIELDS
    while stack:
        node = pop()
        if node is None:
            continue
        kind = node.__class__
        if stop is not None and kind in stop:
            if enter:
                yield node
            continue
        yield node
        fields = table.get(kind)  # push_children, inlined: this loop runs for every node of a file
        if fields is None:
            fields = _child_fields(kind)
        for name in fields:
            value = getattr(node, name)
            if value is None:
                continue
            if value.__class__ is list:
                stack += value[::-1]
            else:
                stack.append(value)


def first_yield(fn: FunctionNode) -> ast.Yield | ast.YieldFrom | None:
    """The first ``yield`` / ``yield from`` of ``fn``'s own body, in source order."""
    for node in own_nodes(fn):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return node
    return None


def code_after_yield(fn: FunctionNode, yielded: ast.Yield | ast.YieldFrom) -> bool:
    """Whether a generator fixture has teardown: anything but ``yielded`` as its last statement."""
    last = fn.body[-1]
    return not (isinstance(last, ast.Expr) and last.value is yielded)


class Walker:
    """One traversal per file, pylint's ``ASTWalker`` in small: every statement of a module,
    nested function, class and compound bodies included, in source order, dispatched to the
    ``visit_<NodeType>(node)`` methods of the listeners added. Expressions are analysed per
    function by the families (a statement walk costs a fraction of a whole-tree ``ast.walk``).
    """

    def __init__(self) -> None:
        self.listeners: dict[type, list] = {}

    def add(self, listener: object) -> None:
        for name in dir(listener):
            if name.startswith("visit_"):
                kind = getattr(ast, name[len("visit_"):], None)
                if isinstance(kind, type) and issubclass(kind, ast.stmt):
                    self.listeners.setdefault(kind, []).append(getattr(listener, name))

    def walk(self, body: list[ast.stmt]) -> None:
        listeners = self.listeners
        if not listeners:
            return
        for stmt in statements(body):
            for visit in listeners.get(type(stmt), ()):
                visit(stmt)


_COMPOUND = frozenset({
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
    ast.With, ast.AsyncWith, ast.Try, ast.TryStar, ast.Match,
})  # fmt: skip


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of ``body`` in source order, those of nested blocks, functions and classes
    included (no expression is looked at)."""
    stack: list[ast.stmt] = body[::-1]
    while stack:
        stmt = stack.pop()
        yield stmt
        if stmt.__class__ not in _COMPOUND:
            continue  # most statements hold no other
        inner: list[ast.stmt] = list(getattr(stmt, "body", ()))  # a match statement has none
        for handler in getattr(stmt, "handlers", None) or ():
            inner += handler.body
        for case in getattr(stmt, "cases", None) or ():
            inner += case.body
        inner += getattr(stmt, "orelse", ())
        inner += getattr(stmt, "finalbody", ())
        stack += inner[::-1]


def class_nodes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    """Every class of the module, nested ones included, by qualified name (``Outer.Inner``).

    Only module and class bodies are visited: a handful of statements, not a walk of the file.
    """
    found: dict[str, ast.ClassDef] = {}
    todo: list[tuple[list[ast.stmt], str]] = [(tree.body, "")]
    while todo:
        body, prefix = todo.pop()
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                name = prefix + stmt.name
                found[name] = stmt
                todo.append((stmt.body, name + "."))
    return found


# positions and text -------------------------------------------------------------------------
def position(node: ast.AST) -> tuple[int, int]:
    """(line, column) of a node; (0, 0) for nodes without a position."""
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def short(node: ast.AST, limit: int = 60) -> str:
    """The node's source text, cut to ``limit`` characters for a message."""
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fixture_label(fn) -> str:
    """``session-scoped fixture 'db'`` for a ``context.Function`` that is a fixture."""
    fixture = fn.fixture
    assert fixture is not None
    scope = f"{fixture.scope}-scoped " if fixture.scope else ""
    return f"{scope}fixture '{fixture.name}'"


# names and constants ------------------------------------------------------------------------
def dotted_parts(node: ast.AST) -> tuple[str, list[str]] | None:
    """``a.b.c`` -> ``("a", ["b", "c"])``; None when the base is not a plain name."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id, attrs[::-1]


def from_import(node: ast.ImportFrom, name: str) -> str:
    """The qualified name ``from ... import name`` binds: ``pkg.mod.name``, and for relative imports
    ``.config`` (``from . import config``) or ``..app.config`` (``from ..app import config``)."""
    prefix = "." * node.level + (node.module or "")
    return f"{prefix}.{name}" if node.module else prefix + name


def unwrap_await(expr: ast.AST | None) -> ast.AST | None:
    """``await x`` -> ``x``; anything else unchanged."""
    return expr.value if isinstance(expr, ast.Await) else expr


def const_str(node: ast.AST | None) -> str | None:
    """The value of a str (or bytes, read as latin-1) constant, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        value = node.value
        return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def strings(node: ast.AST | None) -> Iterator[str]:
    """The str constants of ``"a"`` or of a list/tuple/set display of them (``["a", "b"]``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for elt in node.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                yield elt.value


def bound_names(body: list[ast.stmt]) -> dict[str, ast.AST]:
    """Names a module or class body binds, guarded (if/try) definitions included."""
    names: dict[str, ast.AST] = {}
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[stmt.name] = stmt
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in iter_nodes(target):
                    if isinstance(node, ast.Name):
                        names[node.id] = stmt
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                names[(alias.asname or alias.name).split(".")[0]] = stmt
        elif isinstance(stmt, (ast.If, ast.Try, ast.With)):
            inner = (
                list(getattr(stmt, "body", []))
                + list(getattr(stmt, "orelse", []))
                + list(getattr(stmt, "finalbody", []))
            )
            for handler in getattr(stmt, "handlers", []) or []:
                inner += handler.body
            names.update(bound_names(inner))
    return names


def top_names(tree: ast.Module) -> dict[str, tuple[str, ...] | None] | None:
    """What a module binds at top level: name -> a class's own names, or None for anything else.

    None when the module's names cannot be known (``__getattr__``, ``import *``).
    """
    names = bound_names(tree.body)
    if "__getattr__" in names or "*" in names:
        return None
    return {
        name: tuple(bound_names(node.body)) if isinstance(node, ast.ClassDef) else None
        for name, node in names.items()
    }


# paths --------------------------------------------------------------------------------------
def display_path(path: str | None) -> str:
    """``path`` relative to the working directory when it is below it, else as given ("?" for none)."""
    if path is None:
        return "?"
    if path == "-" or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith(os.pardir + os.sep) else rel


def normal_statement(code: str) -> str:
    """A simple statement's source as fixers find it again: stripped, without a trailing ``;``."""
    return code.strip().rstrip(";").strip()
