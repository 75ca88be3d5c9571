"""Fixers for the rules in ``sessionlint.rules.fixture_values`` (libcst; loaded only to fix)."""

from __future__ import annotations

from typing import Callable

import libcst as cst
import libcst.matchers as m

from sessionlint.fixes import OwnBodyTransformer, edit_function, ensure_import, fixer, insert_first
from sessionlint.model import FixError, FixOp


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
