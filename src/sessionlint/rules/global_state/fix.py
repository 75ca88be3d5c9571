"""Fixers for the rules in ``sessionlint.rules.global_state`` (libcst; loaded only to fix)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from sessionlint.fixes import (
    FixError,
    OwnBodyTransformer,
    add_param,
    edit_function,
    ensure_import,
    first_statements,
    fixer,
    rewrite_statements,
    pytest_alias,
    with_body,
)
from sessionlint.model import FixOp
from sessionlint.syntax import normal_statement

# --------------------------------------------------------------------------------------------
# fixers


@fixer("slk301-monkeypatch")
def _fix_monkeypatch(module: cst.Module, op: FixOp) -> cst.Module:
    """Rewrite writes into ``monkeypatch`` calls; request ``monkeypatch`` when the function does not."""
    rewrites = _op_rewrites(dict(op.args), "monkeypatch")

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        fn, done = rewrite_statements(fn, rewrites)
        if not done:
            return fn  # already fixed
        return add_param(fn, "monkeypatch")

    return edit_function(module, op.arg("func"), edit)


@fixer("slk301-mp-context")
def _fix_mp_context(module: cst.Module, op: FixOp) -> cst.Module:
    """Wrap a broad fixture's body in ``with pytest.MonkeyPatch.context() as mp:``; writes become ``mp.*``."""
    pytest = pytest_alias(module)
    args = dict(op.args)

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        doc, rest = first_statements(fn)
        existing = _existing_context(rest)
        mp = existing or args["mp"]
        rewrites = _op_rewrites(args, mp)
        fn, done = rewrite_statements(fn, rewrites)
        if not done:
            return fn
        if existing:
            return fn
        doc, rest = first_statements(fn)
        if args.get("return") == "1":
            rest = _return_to_yield(rest)
        elif args.get("return") == "append":
            rest = [*rest, cst.SimpleStatementLine(body=[cst.Expr(value=cst.Yield())])]
        block = cst.With(
            items=[
                cst.WithItem(
                    item=cst.parse_expression(f"{pytest}.MonkeyPatch.context()"),
                    asname=cst.AsName(name=cst.Name(mp)),
                )
            ],
            body=cst.IndentedBlock(body=rest),
        )
        if rest and rest[0].leading_lines:  # comments above the first statement stay above the with
            block = block.with_changes(leading_lines=rest[0].leading_lines)
            rest[0] = rest[0].with_changes(leading_lines=())
            block = block.with_changes(body=cst.IndentedBlock(body=rest))
        return with_body(fn, [*doc, block])

    module = edit_function(module, op.arg("func"), edit)
    return ensure_import(module, "pytest") if pytest == "pytest" else module


def _op_rewrites(args: dict[str, str], receiver: str) -> list[tuple[str, int, str]]:
    rewrites = []
    i = 0
    while f"stmt{i}" in args:
        rewrites.append((args[f"stmt{i}"], int(args[f"occurrence{i}"]), receiver + args[f"call{i}"]))
        i += 1
    return rewrites


def _existing_context(rest: list[cst.BaseStatement]) -> str | None:
    """The ``as`` name when the body already is one ``with ....MonkeyPatch.context() as NAME:``."""
    if len(rest) != 1 or not isinstance(rest[0], cst.With) or len(rest[0].items) != 1:
        return None
    item = rest[0].items[0]
    if not m.matches(
        item.item, m.Call(func=m.Attribute(value=m.Attribute(attr=m.Name("MonkeyPatch")), attr=m.Name("context")))
    ):
        return None
    if item.asname is not None and isinstance(item.asname.name, cst.Name):
        return item.asname.name.value
    return None


def _return_to_yield(rest: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    if not rest:
        return rest
    last = rest[-1]
    if not m.matches(last, m.SimpleStatementLine(body=[m.Return()])):
        raise FixError("the fixture's return is not its last statement")
    ret = last.body[0]  # type: ignore[union-attr]
    assert isinstance(ret, cst.Return)
    value = ret.value
    expr = cst.Expr(value=cst.Yield(value=value))
    return [*rest[:-1], last.with_changes(body=[expr])]


# xunit and unittest ----------------------------------------------------------------------------
@fixer("xunit-to-fixture")
def _xunit_to_fixture(module: cst.Module, op: FixOp) -> cst.Module:
    """``def setup_module(module):`` -> ``@pytest.fixture(scope="module", autouse=True)`` without
    parameters (pytest skips a fixture when it looks for xunit setups, so the name may stay)."""
    pytest = pytest_alias(module)
    scope = op.arg("scope", "module")

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        if fn.decorators:
            return fn  # already a fixture (or decorated otherwise: leave it)
        decorator = cst.Decorator(decorator=cst.parse_expression(f'{pytest}.fixture(scope="{scope}", autouse=True)'))
        return fn.with_changes(decorators=[decorator], params=cst.Parameters())

    module = edit_function(module, op.arg("func"), edit)
    return ensure_import(module, "pytest") if pytest == "pytest" else module


class _InsertBefore(OwnBodyTransformer):
    """Insert statements before the ``occurrence``-th statement line whose code is ``text``."""

    def __init__(self, text: str, occurrence: int, code: str) -> None:
        super().__init__()
        self.text, self.occurrence, self.code = normal_statement(text), occurrence, code
        self.seen = 0
        self.done = False

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if self.done or len(updated.body) != 1:
            return updated
        code = normal_statement(cst.Module([]).code_for_node(updated.body[0].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)))
        if code != self.text:
            return updated
        index, self.seen = self.seen, self.seen + 1
        if index != self.occurrence:
            return updated
        self.done = True
        new = list(cst.parse_module(self.code + "\n").body)
        if updated.leading_lines:
            new[0] = new[0].with_changes(leading_lines=updated.leading_lines)
            updated = updated.with_changes(leading_lines=())
        return cst.FlattenSentinel([*new, updated])


@fixer("slk301-add-cleanup")
def _add_cleanup(module: cst.Module, op: FixOp) -> cst.Module:
    """Register the undo with ``self.addCleanup(...)`` just before a write in a unittest method."""

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        inserter = _InsertBefore(op.arg("stmt"), int(op.arg("occurrence", "0")), op.arg("code"))
        body = fn.body.visit(inserter)
        if not inserter.done:
            raise FixError("the statement to restore was not found")
        return fn.with_changes(body=body)

    return edit_function(module, op.arg("func"), edit)
