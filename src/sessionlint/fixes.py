"""The shared libcst toolkit of the fixers, parsed only for files that get a fix.

Each family's fixers live in ``sessionlint/rules/<family>/fix.py`` and register
themselves with ``@fixer(kind)``; ``apply_ops`` imports them on first use.

A diagnostic's ``Fix`` is a list of ``FixOp`` (file, fixer name, arguments).
Fixers find their target by qualified function name, not by position, so
several fixes can be applied to one tree in turn. Each fixer is idempotent:
applied to code it already fixed, it changes nothing.
"""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst
import libcst.matchers as m

from sessionlint.model import FixError, FixOp
from sessionlint.syntax import normal_statement

Fixer = Callable[[cst.Module, FixOp], cst.Module]
FIXERS: dict[str, Fixer] = {}


def fixer(kind: str) -> Callable[[Fixer], Fixer]:
    def register(fn: Fixer) -> Fixer:
        known = FIXERS.get(kind)
        # the same function again is a re-import (pytester drops modules between runs), not a clash
        if known is not None and (known.__module__, known.__qualname__) != (fn.__module__, fn.__qualname__):
            raise RuntimeError(f"fixer {kind} registered twice")
        FIXERS[kind] = fn
        return fn

    return register


def apply_ops(text: str, ops: Sequence[FixOp]) -> str:
    """Apply fix operations to one file's text; raises FixError when libcst cannot."""
    _load_fixers()

    # libcst drops a final lone "\r" (old Mac line endings): work on "\n" and map back
    if "\r" in text and "\n" not in text:
        return apply_ops(text.replace("\r", "\n"), ops).replace("\n", "\r")
    if text.endswith("\r"):
        fixed = apply_ops(text + "\n", ops)
        return fixed[:-1] if fixed.endswith("\r\n") else fixed
    try:
        module = cst.parse_module(text)
    except Exception as exc:  # ParserSyntaxError, CSTLogicError on syntax libcst lacks
        raise FixError(f"libcst cannot parse the file: {type(exc).__name__}") from None
    for op in ops:
        fn = FIXERS.get(op.kind)
        if fn is None:
            raise FixError(f"unknown fixer {op.kind}")
        module = fn(module, op)
    return module.code


def _load_fixers() -> None:
    """Import every family's ``fix`` module (``sessionlint/rules/<family>/fix.py``): they register fixers."""
    from importlib import import_module
    from importlib.util import find_spec

    from sessionlint.rules import FAMILIES

    for family in FAMILIES:
        name = f"sessionlint.rules.{family}.fix"
        if find_spec(name) is not None:
            import_module(name)


# finding and editing functions ------------------------------------------------------
class _FunctionEditor(cst.CSTTransformer):
    """Replace the function with qualified name ``qualname`` by ``edit(node)``."""

    def __init__(self, qualname: str, edit: Callable[[cst.FunctionDef], cst.FunctionDef | cst.FlattenSentinel]):
        super().__init__()
        self.qualname = qualname
        self.edit = edit
        self.stack: list[str] = []
        self.found = False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.stack.append(node.name.value)
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.stack.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.stack.append(node.name.value)
        return False  # nested functions are never targets

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef):
        qual = ".".join(self.stack)
        self.stack.pop()
        if qual == self.qualname and not self.found:
            self.found = True
            return self.edit(updated)
        return updated


def edit_function(
    module: cst.Module, qualname: str, edit: Callable[[cst.FunctionDef], cst.FunctionDef | cst.FlattenSentinel]
) -> cst.Module:
    editor = _FunctionEditor(qualname, edit)
    result = module.visit(editor)
    if not editor.found:
        raise FixError(f"function {qualname} not found")
    return result


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return m.matches(stmt, m.SimpleStatementLine(body=[m.Expr(value=m.SimpleString() | m.ConcatenatedString())]))


def parse_statements(code: str) -> list[cst.BaseStatement]:
    """The statements of a code snippet, ready to insert into a tree."""
    return list(cst.parse_module(code + "\n").body)


def body_statements(fn: cst.FunctionDef) -> list[cst.BaseStatement]:
    body = fn.body
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=list(body.body))]
    return list(body.body)


def first_statements(fn: cst.FunctionDef) -> tuple[list[cst.BaseStatement], list[cst.BaseStatement]]:
    """Split a function body into (docstring part, rest)."""
    stmts = body_statements(fn)
    if stmts and _is_docstring(stmts[0]):
        return stmts[:1], stmts[1:]
    return [], stmts


def with_body(fn: cst.FunctionDef, stmts: list[cst.BaseStatement]) -> cst.FunctionDef:
    if isinstance(fn.body, cst.IndentedBlock):
        return fn.with_changes(body=fn.body.with_changes(body=stmts))
    return fn.with_changes(body=cst.IndentedBlock(body=stmts))


def insert_first(fn: cst.FunctionDef, code: str) -> cst.FunctionDef:
    """Insert ``code`` as the first statement after the docstring (idempotent)."""
    stmt = cst.parse_statement(code)
    doc, rest = first_statements(fn)
    if rest and rest[0].deep_equals(stmt):
        return fn
    if rest and isinstance(rest[0], cst.SimpleStatementLine) and rest[0].leading_lines:
        # keep the comment/blank lines that preceded the old first statement above the new one
        stmt = stmt.with_changes(leading_lines=rest[0].leading_lines)
        rest[0] = rest[0].with_changes(leading_lines=())
    return with_body(fn, [*doc, stmt, *rest])


def ensure_import(module: cst.Module, name: str) -> cst.Module:
    """Add ``import name`` before the first import, unless the module imports it already."""
    imports = m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])
    for stmt in module.body:
        if m.matches(stmt, m.SimpleStatementLine(body=[m.Import()])):
            for alias in stmt.body[0].names:  # type: ignore[union-attr]
                if alias.asname is None and cst.helpers.get_full_name_for_node(alias.name) == name:
                    return module
    body = list(module.body)
    index = 1 if body and _is_docstring(body[0]) else 0
    while index < len(body) and m.matches(
        body[index], m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name("__future__"))])
    ):
        index += 1
    new = cst.parse_statement(f"import {name}")
    if index < len(body):
        following = body[index]
        # comments and blank lines above the old first statement now stand above the import
        new = new.with_changes(leading_lines=following.leading_lines)
        gap = () if m.matches(following, imports) else (cst.EmptyLine(),) * 2
        body[index] = following.with_changes(leading_lines=gap)
    body.insert(index, new)
    return module.with_changes(body=body)


def pytest_alias(module: cst.Module) -> str:
    """The name the module imports pytest under (``import pytest as pt`` -> ``pt``), else ``pytest``."""
    for stmt in module.body:
        if m.matches(stmt, m.SimpleStatementLine(body=[m.Import()])):
            for alias in stmt.body[0].names:  # type: ignore[union-attr]
                if m.matches(alias.name, m.Name("pytest")):
                    if alias.asname is None:
                        return "pytest"
                    if isinstance(alias.asname.name, cst.Name):
                        return alias.asname.name.value
    return "pytest"


def append_statements(fn: cst.FunctionDef, new: list[cst.BaseStatement]) -> cst.FunctionDef:
    """Append ``new`` to the function body, below the comments that end it (they stay above)."""
    stmts = body_statements(fn)
    body = fn.body
    if isinstance(body, cst.IndentedBlock) and body.footer and new:
        new = [new[0].with_changes(leading_lines=[*body.footer, *new[0].leading_lines]), *new[1:]]
        fn = fn.with_changes(body=body.with_changes(footer=()))
    return with_body(fn, [*stmts, *new])



# parameters ---------------------------------------------------------------------------
def _separator(fn: cst.FunctionDef, items: list[cst.Param], index: int) -> cst.Comma:
    """The comma to put after the parameter before ``index``: the one the list already uses."""
    between = items[index - 2].comma if index >= 2 else None
    if isinstance(between, cst.Comma):
        return between
    ws = fn.whitespace_before_params
    return cst.Comma(whitespace_after=ws if isinstance(ws, cst.ParenthesizedWhitespace) else cst.SimpleWhitespace(" "))


def add_param(fn: cst.FunctionDef, name: str) -> cst.FunctionDef:
    """Request ``name``: a new last parameter without default (before ``*args`` and defaults)."""
    params = fn.params
    if param_present(fn, name):
        return fn
    items = list(params.params)
    index = next((i for i, p in enumerate(items) if p.default is not None), len(items))
    new = cst.Param(name=cst.Name(name))
    before = items[index - 1] if index > 0 else None
    trailing = (
        before is not None
        and index == len(items)
        and isinstance(before.comma, cst.Comma)
        and isinstance(params.star_arg, cst.MaybeSentinel)
        and not params.kwonly_params
        and params.star_kwarg is None
    )
    if trailing and before is not None:
        # ``def f(\n    a,\n)``: the new parameter takes over the trailing comma and the line break
        between = _separator(fn, items, index)
        new = new.with_changes(comma=before.comma)
        items[index - 1] = before.with_changes(comma=between)
    elif (
        before is not None
        and index == len(items)
        and isinstance(before.whitespace_after_param, cst.ParenthesizedWhitespace)
        and isinstance(params.star_arg, cst.MaybeSentinel)
        and not params.kwonly_params
        and params.star_kwarg is None
    ):
        # ``def f(\n    a\n)``: keep the line break before the closing parenthesis
        between = _separator(fn, items, index)
        new = new.with_changes(whitespace_after_param=before.whitespace_after_param)
        items[index - 1] = before.with_changes(comma=between, whitespace_after_param=cst.SimpleWhitespace(""))
    elif before is not None and isinstance(before.comma, cst.Comma) and index < len(items):
        new = new.with_changes(comma=before.comma)
    items.insert(index, new)
    return fn.with_changes(params=params.with_changes(params=items))


def param_present(fn: cst.FunctionDef, name: str) -> bool:
    params = fn.params
    return any(p.name.value == name for p in (*params.posonly_params, *params.params, *params.kwonly_params))


class OwnBodyTransformer(cst.CSTTransformer):
    """A transformer that stays in the function it is given: nested functions,
    classes and lambdas are other scopes, never fix targets."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


class StatementRewriter(OwnBodyTransformer):
    """Replace the ``occurrence``-th small statement of a function's own body whose code is ``text``
    by ``new`` (statements are found by their text, so fixes stay valid across earlier edits)."""

    def __init__(self, rewrites: list[tuple[str, int, str]]) -> None:
        super().__init__()
        self.rewrites = rewrites
        self.seen: dict[str, int] = {}
        self.done = 0

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        body = list(updated.body)
        changed = False
        for i, small in enumerate(body):
            code = normal_statement(cst.Module([]).code_for_node(small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)))
            index = self.seen.get(code, 0)
            self.seen[code] = index + 1
            for text, occurrence, new in self.rewrites:
                if normal_statement(text) == code and occurrence == index:
                    replacement = cst.parse_statement(new)
                    assert isinstance(replacement, cst.SimpleStatementLine)
                    body[i] = replacement.body[0].with_changes(semicolon=small.semicolon)
                    changed = True
                    self.done += 1
                    break
        return updated.with_changes(body=body) if changed else updated


def rewrite_statements(fn: cst.FunctionDef, rewrites: list[tuple[str, int, str]]) -> tuple[cst.FunctionDef, int]:
    """``fn`` with its statements rewritten (``StatementRewriter``), and how many were."""
    rewriter = StatementRewriter(rewrites)
    return fn.with_changes(body=fn.body.visit(rewriter)), rewriter.done
