"""Fixes: libcst transformations, parsed only for files that get a fix.

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
    from importlib import import_module

    from importlib.util import find_spec

    from sessionlint.fixers import FAMILIES
    from sessionlint.rules import FAMILIES as RULE_FAMILIES

    for family in FAMILIES:
        import_module(f"sessionlint.fixers.{family}")
    for family in RULE_FAMILIES:  # a family package keeps its fixers in its own ``fix`` module
        package = f"sessionlint.rules.{family}"
        if find_spec(package).submodule_search_locations and find_spec(f"{package}.fix") is not None:  # type: ignore[union-attr]
            import_module(f"{package}.fix")


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


def append_last(fn: cst.FunctionDef, code: str) -> cst.FunctionDef:
    """Append ``code`` as the function's last statement (idempotent)."""
    stmt = cst.parse_statement(code)
    stmts = body_statements(fn)
    if stmts and stmts[-1].deep_equals(stmt):
        return fn
    return with_body(fn, [*stmts, stmt])


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


class OwnBodyTransformer(cst.CSTTransformer):
    """A transformer that stays in the function it is given: nested functions,
    classes and lambdas are other scopes, never fix targets."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


# the handed-out value -------------------------------------------------------------------
class _ValueWrapper(OwnBodyTransformer):
    """Wrap the first yielded (or returned) value in ``copy.deepcopy(...)``."""

    def __init__(self, generator: bool) -> None:
        super().__init__()
        self.generator = generator
        self.done = False

    def _wrap(self, value: cst.BaseExpression) -> cst.BaseExpression:
        self.done = True
        if m.matches(value, m.Call(func=m.Attribute(value=m.Name("copy"), attr=m.Name("deepcopy")))):
            return value
        return cst.Call(
            func=cst.Attribute(value=cst.Name("copy"), attr=cst.Name("deepcopy")), args=[cst.Arg(value=value)]
        )

    def leave_Yield(self, original: cst.Yield, updated: cst.Yield) -> cst.Yield:
        if self.generator and not self.done and isinstance(updated.value, cst.BaseExpression):
            return updated.with_changes(value=self._wrap(updated.value))
        return updated

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        if not self.generator and not self.done and updated.value is not None:
            return updated.with_changes(value=self._wrap(updated.value))
        return updated


def _is_generator(fn: cst.FunctionDef) -> bool:
    return bool(m.findall(fn.body, m.Yield()))


@fixer("deepcopy-value")
def _deepcopy_value(module: cst.Module, op: FixOp) -> cst.Module:
    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        wrapper = _ValueWrapper(_is_generator(fn))
        body = fn.body.visit(wrapper)
        return fn.with_changes(body=body)

    return ensure_import(edit_function(module, op.arg("func"), edit), "copy")


@fixer("deepcopy-rebind")
def _deepcopy_rebind(module: cst.Module, op: FixOp) -> cst.Module:
    name = op.arg("name")
    code = f"{name} = copy.deepcopy({name})"
    return ensure_import(edit_function(module, op.arg("func"), lambda fn: insert_first(fn, code)), "copy")


# decorators -----------------------------------------------------------------------------
def _fixture_decorator(fn: cst.FunctionDef) -> tuple[int, cst.Decorator] | None:
    for i, dec in enumerate(fn.decorators):
        target = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        name = cst.helpers.get_full_name_for_node(target) or ""
        if name.split(".")[-1] in ("fixture", "yield_fixture"):
            return i, dec
    return None


def _without_args(call: cst.Call, drop: Callable[[int, cst.Arg], bool]) -> cst.BaseExpression:
    kept = [arg for i, arg in enumerate(call.args) if not drop(i, arg)]
    if len(kept) == len(call.args):
        return call
    if not kept:
        return call.func  # @pytest.fixture() -> @pytest.fixture
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=kept)


def _is_scope_arg(i: int, arg: cst.Arg) -> bool:
    if arg.keyword is not None:
        return arg.keyword.value == "scope"
    return i == 0 and isinstance(arg.value, cst.SimpleString)


def drop_decorator_args(fn: cst.FunctionDef, drop: Callable[[int, cst.Arg], bool]) -> cst.FunctionDef:
    found = _fixture_decorator(fn)
    if found is None or not isinstance(found[1].decorator, cst.Call):
        return fn
    i, dec = found
    decorators = list(fn.decorators)
    decorators[i] = dec.with_changes(decorator=_without_args(dec.decorator, drop))
    return fn.with_changes(decorators=decorators)


@fixer("drop-scope")
def _drop_scope(module: cst.Module, op: FixOp) -> cst.Module:
    return edit_function(module, op.arg("func"), lambda fn: drop_decorator_args(fn, _is_scope_arg))


@fixer("split-fixture")
def _split_fixture(module: cst.Module, op: FixOp) -> cst.Module:
    private = op.arg("private")
    qualname = op.arg("func")
    public = qualname.rsplit(".", 1)[-1]

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef | cst.FlattenSentinel:
        found = _fixture_decorator(fn)
        if found is None:
            raise FixError(f"{qualname} has no fixture decorator")
        dec = found[1].decorator
        base = dec.func if isinstance(dec, cst.Call) else dec
        shared = fn.with_changes(name=cst.Name(private))
        wrapper = cst.parse_statement(
            f"@{cst.Module([]).code_for_node(base)}\n"
            f"def {public}({private}):\n"
            f"    return copy.deepcopy({private})\n"
        )
        assert isinstance(wrapper, cst.FunctionDef)
        wrapper = wrapper.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
        return cst.FlattenSentinel([shared, wrapper])

    if _module_defines(module, private):
        return module  # already split
    return ensure_import(edit_function(module, qualname, edit), "copy")


def _module_defines(module: cst.Module, name: str) -> bool:
    return any(m.matches(stmt, m.FunctionDef(name=m.Name(name))) for stmt in module.body)


@fixer("rename-param")
def _rename_param(module: cst.Module, op: FixOp) -> cst.Module:
    old, new = op.arg("old"), op.arg("new")

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        params = fn.params
        changed = [p.with_changes(name=cst.Name(new)) if p.name.value == old else p for p in params.params]
        if all(p.name.value != old for p in params.params):
            return fn
        fn = fn.with_changes(params=params.with_changes(params=changed))
        return insert_first(fn, f"{old} = {new}")

    return edit_function(module, op.arg("func"), edit)
