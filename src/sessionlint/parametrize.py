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

_MUTABLE_DISPLAYS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


@dataclass(frozen=True, slots=True)
class SharedParam:
    name: str
    desc: str  # "a dict"
    literal: bool  # every mutable value is built from literals
    items: int  # how many items each value is handed to (at least)


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


def _classes(ctx: FileContext) -> dict[str, ast.ClassDef]:
    found: dict[str, ast.ClassDef] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                name = f"{prefix}{stmt.name}"
                found[name] = stmt
                visit(stmt.body, name + ".")

    visit(ctx.tree.body, "")
    return found


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
        classes = classes if classes is not None else _classes(ctx)
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
            from sessionlint.values import is_literal

            found.append(SharedParam(name, desc, all(is_literal(v) for v in mutable), max(items, 2)))
    return found


def _repeats(rows: list[ast.expr]) -> bool:
    """The same name listed twice: one object for two items (``[base, base]``)."""
    names = [r.id for r in rows if isinstance(r, ast.Name)]
    return len(names) != len(set(names))
