"""Parametrize arguments that several test items share.

``@pytest.mark.parametrize("d", [{"k": 1}])`` builds the dict once, when the
decorator runs; pytest hands that one object to every item generated with it.
Stacked with another parametrize (``@parametrize("order", ["C", "F"])``) that
is several items, and a test that mutates ``d`` changes what the next item
gets. A parametrize that makes one item per value is harmless.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from sessionlint.context import FileContext, Function
from sessionlint.syntax import class_nodes, iter_nodes
from sessionlint.values import is_literal

_MUTABLE_DISPLAYS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


@dataclass(frozen=True, slots=True)
class SharedParam:
    name: str
    desc: str  # "a dict"
    literal: bool  # every mutable value is built from literals
    items: int  # how many items each value is handed to (at least)
    rowmates: tuple[str, ...] = ()  # the argnames of the same mark: equal for every item sharing the object


def _marks(ctx: FileContext, decorators: list[ast.expr]) -> list[ast.Call]:
    found = []
    for dec in decorators:
        if isinstance(dec, ast.Call) and (ctx.qualify(dec.func) or "").endswith("mark.parametrize"):
            found.append(dec)
    return found


def _module_marks(ctx: FileContext) -> list[ast.Call]:
    value = ctx.module_globals.get("pytestmark")
    if value is None:
        return []
    return _marks(ctx, list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else [value])


def _argnames(call: ast.Call) -> list[str]:
    node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "argnames"), None)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [n.strip() for n in node.value.split(",") if n.strip()]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _argvalues(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 2:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "argvalues"), None)


def _indirect(call: ast.Call) -> bool:
    return any(k.arg == "indirect" for k in call.keywords)


def _rows(values: ast.expr | None) -> list[ast.expr] | None:
    """The argvalues entries (``pytest.param(...)`` unwrapped to a tuple of its values), or None if not a display."""
    if not isinstance(values, (ast.List, ast.Tuple)):
        return None
    rows: list[ast.expr] = []
    for elt in values.elts:
        if isinstance(elt, ast.Call) and isinstance(elt.func, ast.Attribute) and elt.func.attr == "param":
            rows.append(elt.args[0] if len(elt.args) == 1 else ast.Tuple(elts=list(elt.args), ctx=ast.Load()))
        else:
            rows.append(elt)
    return rows


def shared_params(ctx: FileContext, fn: Function, classes: dict[str, ast.ClassDef] | None = None) -> list[SharedParam]:
    """The parametrize arguments of ``fn`` whose mutable values pytest hands to more than one item."""
    own = _marks(ctx, fn.node.decorator_list)
    if not own:
        return []
    others: list[ast.Call] = []
    if fn.cls:
        classes = classes if classes is not None else class_nodes(ctx.tree)
        parts = fn.cls.split(".")
        for i in range(1, len(parts) + 1):
            node = classes.get(".".join(parts[:i]))
            if node is not None:
                others += _marks(ctx, node.decorator_list)
    others += _module_marks(ctx)
    all_marks = own + others
    found: list[SharedParam] = []
    for mark in own:
        if _indirect(mark):
            continue
        names = _argnames(mark)
        rows = _rows(_argvalues(mark))
        if not names or rows is None:
            continue
        # how many items each of this mark's values goes to: the product of the other marks' sizes
        items = 1
        for other in all_marks:
            if other is mark:
                continue
            other_rows = _rows(_argvalues(other))
            items *= len(other_rows) if other_rows is not None else 2
        repeated = _repeats(rows)
        for index, name in enumerate(names):
            members = []
            for row in rows:
                if len(names) == 1:
                    members.append(row)
                elif isinstance(row, (ast.Tuple, ast.List)) and index < len(row.elts):
                    members.append(row.elts[index])
            mutable = [v for v in members if isinstance(v, _MUTABLE_DISPLAYS)]
            if not mutable or (items < 2 and not repeated):
                continue
            desc = {ast.Dict: "a dict", ast.DictComp: "a dict", ast.Set: "a set", ast.SetComp: "a set"}.get(
                type(mutable[0]), "a list"
            )
            found.append(
                SharedParam(name, desc, all(is_literal(v) for v in mutable), max(items, 2), tuple(names))
            )
    return found


def _repeats(rows: list[ast.expr]) -> bool:
    """The same name listed twice: one object for two items (``[base, base]``)."""
    names = [r.id for r in rows if isinstance(r, ast.Name)]
    return len(names) != len(set(names))


def overwritten_first(fn: ast.FunctionDef | ast.AsyncFunctionDef, line: int, param: SharedParam) -> bool:
    """``p[K] = v`` before anything reads ``p``, under conditions that are equal for every item
    sharing the object (they read only the same mark's arguments, or are ``K not in p``): each
    item writes ``p[K]`` itself before it looks, so none sees what the previous one wrote."""
    found = _find_write(fn.body, line, param.name, [])
    if found is None:
        return False
    stmt, tests = found
    key = stmt.targets[0].slice  # type: ignore[attr-defined]
    for test in tests:
        if _setdefault_guard(test, param.name, key):
            continue
        names = {n.id for n in iter_nodes(test) if isinstance(n, ast.Name)}
        if not names <= set(param.rowmates) - {param.name}:
            return False
    # earlier writes of constant keys and ``K not in p`` guards read nothing another item left behind
    harmless: set[int] = set()
    for node in iter_nodes(fn):
        if isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) for t in node.targets
        ):
            harmless.update(id(t.value) for t in node.targets)
        elif isinstance(node, ast.If) and _setdefault_guard(node.test, param.name, getattr(node.test, "left", None)):
            harmless.update(id(n) for n in iter_nodes(node.test))
    for node in iter_nodes(fn):
        if (
            isinstance(node, ast.Name)
            and node.id == param.name
            and node.lineno < stmt.lineno
            and id(node) not in harmless
            and not any(node in set(iter_nodes(t)) for t in tests)
        ):
            return False
    return True


def _find_write(body: list[ast.stmt], line: int, name: str, tests: list[ast.expr]):
    for stmt in body:
        if stmt.lineno > line:
            return None
        if (
            stmt.lineno == line
            and isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Subscript)
            and isinstance(stmt.targets[0].value, ast.Name)
            and stmt.targets[0].value.id == name
            and isinstance(stmt.targets[0].slice, ast.Constant)
        ):
            return stmt, tests
        if isinstance(stmt, ast.If) and stmt.lineno <= line <= (stmt.end_lineno or 0):
            for block in (stmt.body, stmt.orelse):
                found = _find_write(block, line, name, [*tests, stmt.test])
                if found is not None:
                    return found
            return None
    return None


def _setdefault_guard(test: ast.expr, name: str, key: ast.expr) -> bool:
    """``if K not in p:``"""
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.NotIn)
        and isinstance(test.left, ast.Constant)
        and isinstance(key, ast.Constant)
        and test.left.value == key.value
        and isinstance(test.comparators[0], ast.Name)
        and test.comparators[0].id == name
    )
