"""Fixers for SLK203 (libcst; imported only when a fix is built)."""

from __future__ import annotations

import libcst as cst

from sessionlint.fixes import add_param, edit_function, ensure_import, fixer, rewrite_statements
from sessionlint.model import FixOp


@fixer("slk203-setitem")
def _setitem(module: cst.Module, op: FixOp) -> cst.Module:
    """``X[k] = v`` -> ``monkeypatch.setitem(X, k, v)``; request ``monkeypatch`` when the function does not."""
    args = dict(op.args)
    rewrites = []
    i = 0
    while f"stmt{i}" in args:
        rewrites.append((args[f"stmt{i}"], int(args[f"occurrence{i}"]), args[f"call{i}"]))
        i += 1

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        fn, done = rewrite_statements(fn, rewrites)
        return add_param(fn, "monkeypatch") if done else fn

    return edit_function(module, op.arg("func"), edit)


@fixer("slk203-copy-alias")
def _copy_alias(module: cst.Module, op: FixOp) -> cst.Module:
    """``alias = X`` -> ``alias = copy.deepcopy(X)``."""
    stmt = cst.parse_statement(op.arg("stmt"))
    assert isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign)
    assign = stmt.body[0]
    code = cst.Module([]).code_for_node
    new = f"{code(assign.targets[0].target)} = copy.deepcopy({code(assign.value)})"

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        return rewrite_statements(fn, [(op.arg("stmt"), int(op.arg("occurrence", "0")), new)])[0]

    return ensure_import(edit_function(module, op.arg("func"), edit), "copy")
