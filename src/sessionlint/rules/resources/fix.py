"""Fixers for the rules in ``sessionlint.rules.resources`` (libcst; loaded only to fix)."""

from __future__ import annotations

import libcst as cst

from sessionlint.fixes import (
    append_statements,
    FixError,
    body_statements,
    edit_function,
    ensure_import,
    fixer,
    parse_statements,
    with_body,
)
from sessionlint.model import FixOp


def _imports(module: cst.Module, imports: str) -> cst.Module:
    for name in filter(None, imports.split(",")):
        module = ensure_import(module, name)
    return module


@fixer("append-release")
def _append_release(module: cst.Module, op: FixOp) -> cst.Module:
    new = parse_statements(op.arg("code"))

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        stmts = body_statements(fn)
        tail = stmts[-len(new):] if len(stmts) >= len(new) else []
        if len(tail) == len(new) and all(a.deep_equals(b) for a, b in zip(tail, new)):
            return fn
        if any(s.deep_equals(n) for s in stmts for n in new):
            return fn  # released already (a second run, or by hand)
        return append_statements(fn, new)

    return _imports(edit_function(module, op.arg("func"), edit), op.arg("imports"))


@fixer("yield-resource")
def _yield_resource(module: cst.Module, op: FixOp) -> cst.Module:
    name = op.arg("name")
    releases = parse_statements(op.arg("code"))

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        stmts = body_statements(fn)
        if not stmts or not isinstance(stmts[-1], cst.SimpleStatementLine):
            return fn
        last = stmts[-1]
        if len(last.body) != 1 or not isinstance(last.body[0], cst.Return) or last.body[0].value is None:
            return fn  # converted already
        value = last.body[0].value
        new: list[cst.BaseStatement] = []
        if op.arg("bind"):
            assign = cst.Assign(targets=[cst.AssignTarget(target=cst.Name(name))], value=value)
            new.append(last.with_changes(body=[assign]))
            new.append(cst.SimpleStatementLine(body=[cst.Expr(cst.Yield(value=cst.Name(name)))]))
        else:
            new.append(last.with_changes(body=[cst.Expr(cst.Yield(value=value))]))
        return append_statements(with_body(fn, [*stmts[:-1], *new]), releases)

    if not op.arg("name"):
        raise FixError("no name for the resource")
    return _imports(edit_function(module, op.arg("func"), edit), op.arg("imports"))
