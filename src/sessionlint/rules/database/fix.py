"""Fixers for the rules in ``sessionlint.rules.database`` (libcst; loaded only to fix)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from sessionlint.fixes import (
    FixError,
    OwnBodyTransformer,
    append_statements,
    body_statements,
    edit_function,
    fixer,
    parse_statements,
    with_body,
)
from sessionlint.model import FixOp


def _is_yield_line(stmt: cst.CSTNode) -> bool:
    return m.matches(
        stmt,
        m.SimpleStatementLine(
            body=[m.Expr(value=m.Yield()) | m.Assign(value=m.Yield()) | m.AnnAssign(value=m.Yield())]
        ),
    )


class _AfterYield(OwnBodyTransformer):
    """Insert statements right after the first ``yield`` statement, in its own block."""

    def __init__(self, new: list[cst.BaseStatement], replace: cst.BaseStatement | None) -> None:
        super().__init__()
        self.new = new
        self.replace = replace
        self.target: cst.CSTNode | None = None
        self.done = False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        if self.target is None and _is_yield_line(node):
            self.target = node
        return False

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if self.done or self.target is None:
            return updated
        for index, stmt in enumerate(original.body):
            if stmt is self.target:
                self.done = True
                body = list(updated.body)
                following = body[index + 1] if index + 1 < len(body) else None
                if following is not None and len(self.new) == 1 and following.deep_equals(self.new[0]):
                    return updated  # fixed already
                return updated.with_changes(body=[*body[: index + 1], *self.new, *body[index + 1 :]])
        return updated


def _statement_code(stmt: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(stmt).strip()


class _Replace(cst.CSTTransformer):
    """Replace the first statement after the first yield (outside nested functions) whose code is ``old``."""

    def __init__(self, old: str, new: cst.BaseStatement) -> None:
        super().__init__()
        self.old = old
        self.new = new
        self.done = False
        self.after_yield = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        if _is_yield_line(node) and not self.after_yield:
            self.after_yield = True
            return False
        return True

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if self.done or not self.after_yield or _is_yield_line(original) or len(updated.body) != 1:
            return updated
        if _statement_code(updated.body[0]) == self.old:
            self.done = True
            assert isinstance(self.new, cst.SimpleStatementLine)
            return updated.with_changes(body=self.new.body)
        return updated


@fixer("rollback-after-yield")
def _rollback_after_yield(module: cst.Module, op: FixOp) -> cst.Module:
    code = op.arg("code")
    new = parse_statements(code)

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        found = m.findall(fn.body, m.SimpleStatementLine(body=[m.Expr()]))
        if any(_statement_code(s.body[0]) == code for s in found):  # type: ignore[attr-defined]
            return fn  # rolled back already
        replace = op.arg("replace")
        if replace:
            replacer = _Replace(replace, new[0])
            body = fn.body.visit(replacer)
            if replacer.done:
                return fn.with_changes(body=body)
        inserter = _AfterYield(new, None)
        body = fn.body.visit(inserter)
        if not inserter.done:
            raise FixError("no yield statement to roll back after")
        return fn.with_changes(body=body)

    return edit_function(module, op.arg("func"), edit)


@fixer("drop-all-after-yield")
def _drop_all_after_yield(module: cst.Module, op: FixOp) -> cst.Module:
    new = parse_statements(op.arg("code"))
    before = op.arg("before")

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        stmts = body_statements(fn)
        if any(s.deep_equals(new[0]) for s in stmts):
            return fn
        seen_yield = False
        for index, stmt in enumerate(stmts):
            if m.findall(stmt, m.Yield()):
                seen_yield = True
                continue
            if seen_yield and isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and (
                _statement_code(stmt.body[0]) == before
            ):
                moved = stmt.with_changes(leading_lines=())
                first = new[0].with_changes(leading_lines=stmt.leading_lines)
                return with_body(fn, [*stmts[:index], first, *new[1:], moved, *stmts[index + 1 :]])
        return append_statements(fn, new)

    return edit_function(module, op.arg("func"), edit)
