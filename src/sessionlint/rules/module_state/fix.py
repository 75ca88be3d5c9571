"""Fixers for SLK203 (libcst; imported only when a fix is built)."""

from __future__ import annotations

import libcst as cst

from sessionlint.fixes import OwnBodyTransformer, add_param, edit_function, ensure_import, fixer
from sessionlint.model import FixOp


def _normal(code: str) -> str:
    return code.strip().rstrip(";").strip()


class _Replace(OwnBodyTransformer):
    """Replace small statements found by their text and occurrence in the function's own body."""

    def __init__(self, rewrites: list[tuple[str, int, str]]) -> None:
        super().__init__()
        self.rewrites = rewrites
        self.seen: dict[str, int] = {}
        self.done = 0

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        body = list(updated.body)
        changed = False
        for i, small in enumerate(body):
            code = _normal(cst.Module([]).code_for_node(small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)))
            index = self.seen.get(code, 0)
            self.seen[code] = index + 1
            for text, occurrence, new in self.rewrites:
                if _normal(text) == code and occurrence == index:
                    replacement = cst.parse_statement(new)
                    assert isinstance(replacement, cst.SimpleStatementLine)
                    body[i] = replacement.body[0].with_changes(semicolon=small.semicolon)
                    changed = True
                    self.done += 1
                    break
        return updated.with_changes(body=body) if changed else updated


def _replace(fn: cst.FunctionDef, rewrites: list[tuple[str, int, str]]) -> tuple[cst.FunctionDef, int]:
    replacer = _Replace(rewrites)
    return fn.with_changes(body=fn.body.visit(replacer)), replacer.done


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
        fn, done = _replace(fn, rewrites)
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
        return _replace(fn, [(op.arg("stmt"), int(op.arg("occurrence", "0")), new)])[0]

    return ensure_import(edit_function(module, op.arg("func"), edit), "copy")
