"""Fixers for SLK601 and SLK603 (libcst; imported only when a fix is built)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from sessionlint.fixes import OwnBodyTransformer, edit_function, ensure_import, fixer, pytest_alias
from sessionlint.model import FixOp

_IMPORT = m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])


@fixer("clear-cache-fixture")
def _clear_cache_fixture(module: cst.Module, op: FixOp) -> cst.Module:
    """Add, after the imports, an autouse fixture clearing ``expr``'s cache around each test."""
    return _autouse_around(module, op.arg("name"), f"{op.arg('expr')}.cache_clear()", op.arg("import"))


@fixer("reset-memo-fixture")
def _reset_memo_fixture(module: cst.Module, op: FixOp) -> cst.Module:
    """Add, after the imports, an autouse fixture running ``stmt`` (``app.config._settings = None``,
    ``app.config._cache.clear()``) before and after each test."""
    return _autouse_around(module, op.arg("name"), op.arg("stmt"), op.arg("import"))


def _autouse_around(module: cst.Module, name: str, line: str, imported: str) -> cst.Module:
    for existing in module.body:
        if isinstance(existing, cst.FunctionDef) and existing.name.value == name:
            return module
    if imported:
        module = ensure_import(module, imported)
    module = ensure_import(module, "pytest")
    alias = pytest_alias(module)
    code = f"@{alias}.fixture(autouse=True)\ndef {name}():\n    {line}\n    yield\n    {line}\n"
    new = cst.parse_statement(code).with_changes(leading_lines=(cst.EmptyLine(), cst.EmptyLine()))
    body = list(module.body)
    index = 0
    for i, stmt in enumerate(body):
        if m.matches(stmt, _IMPORT):
            index = i + 1
    if index < len(body):
        following = body[index]
        if not following.leading_lines:
            body[index] = following.with_changes(leading_lines=(cst.EmptyLine(), cst.EmptyLine()))
    body.insert(index, new)
    return module.with_changes(body=body)


class _CopyArgument(OwnBodyTransformer):
    def __init__(self, callee: str, name: str) -> None:
        super().__init__()
        self.callee = callee
        self.name = name

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if cst.Module([]).code_for_node(updated.func) != self.callee:
            return updated
        args = [
            a.with_changes(value=cst.parse_expression(f"copy.deepcopy({self.name})"))
            if m.matches(a.value, m.Name(self.name)) else a
            for a in updated.args
        ]  # fmt: skip
        return updated.with_changes(args=args)


@fixer("copy-argument")
def _copy_argument(module: cst.Module, op: FixOp) -> cst.Module:
    """Pass ``copy.deepcopy(name)`` instead of ``name`` to ``callee`` in function ``func``."""
    transformer = _CopyArgument(op.arg("callee"), op.arg("name"))

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        return fn.with_changes(body=fn.body.visit(transformer))

    changed = edit_function(module, op.arg("func"), edit)
    return ensure_import(changed, "copy") if not changed.deep_equals(module) else module
