"""Fixers for the rules in ``sessionlint.rules.fixture_scope`` (libcst; loaded only to fix)."""

from __future__ import annotations

from typing import Sequence

import libcst as cst
import libcst.matchers as m

from sessionlint.fixes import (
    FixError,
    edit_function,
    ensure_import,
    first_statements,
    fixer,
    insert_first,
    pytest_alias,
    with_body,
)
from sessionlint.model import FixOp


def _param_named(params: cst.Parameters, name: str) -> cst.Param | None:
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == name:
            return param
    return None


def _renamed_param(params: cst.Parameters, old: str, new: str) -> cst.Parameters:
    """``params`` with ``old`` renamed to ``new`` (its annotation dropped: the type changes)."""

    def rename(items: Sequence[cst.Param]) -> list[cst.Param]:
        return [p.with_changes(name=cst.Name(new), annotation=None) if p.name.value == old else p for p in items]

    return params.with_changes(
        posonly_params=rename(params.posonly_params),
        params=rename(params.params),
        kwonly_params=rename(params.kwonly_params),
    )


def _without_param(params: cst.Parameters, name: str) -> cst.Parameters:
    """``params`` without the parameter ``name``; commas, ``*`` and ``/`` kept valid."""
    groups = {g: list(getattr(params, g)) for g in ("posonly_params", "params", "kwonly_params")}
    for group, items in groups.items():
        index = next((i for i, p in enumerate(items) if p.name.value == name), None)
        if index is None:
            continue
        removed = items.pop(index)
        if items and index == len(items):  # removed the last of its group: its comma (or none) moves up
            items[-1] = items[-1].with_changes(comma=removed.comma)
        changes: dict[str, object] = {group: items}
        if group == "kwonly_params" and not items and isinstance(params.star_arg, cst.ParamStar):
            changes["star_arg"] = cst.MaybeSentinel.DEFAULT  # a bare ``*`` needs a parameter after it
            for before in ("params", "posonly_params"):
                if groups[before]:
                    last = groups[before][-1].with_changes(comma=removed.comma)
                    changes[before] = [*groups[before][:-1], last]
                    break
        if group == "posonly_params" and not items and isinstance(params.posonly_ind, cst.ParamSlash):
            changes["posonly_ind"] = cst.MaybeSentinel.DEFAULT
        return params.with_changes(**changes)
    return params


@fixer("tmp-path-factory")
def _tmp_path_factory(module: cst.Module, op: FixOp) -> cst.Module:
    """``tmp_path`` -> ``tmp_path_factory`` and ``tmp_path = tmp_path_factory.mktemp("<name>")``."""
    param, factory, dirname = op.arg("param"), op.arg("factory"), op.arg("dirname")

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        if _param_named(fn.params, param) is None:
            return fn  # already fixed
        if _param_named(fn.params, factory) is None:
            params = _renamed_param(fn.params, param, factory)
        else:
            params = _without_param(fn.params, param)
        return insert_first(fn.with_changes(params=params), f'{param} = {factory}.mktemp("{dirname}")')

    return edit_function(module, op.arg("func"), edit)


@fixer("monkeypatch-context")
def _monkeypatch_context(module: cst.Module, op: FixOp) -> cst.Module:
    """Drop the ``monkeypatch`` parameter; wrap the body in ``with pytest.MonkeyPatch.context() as monkeypatch:``."""

    pytest = pytest_alias(module)

    def edit(fn: cst.FunctionDef) -> cst.FunctionDef:
        if _param_named(fn.params, "monkeypatch") is None:
            return fn  # already fixed
        if not m.findall(fn.body, m.Yield()):
            raise FixError(f"{op.arg('func')} does not yield: the patches would be undone before any test")
        doc, rest = first_statements(fn)
        block = cst.With(
            items=[
                cst.WithItem(
                    item=cst.parse_expression(f"{pytest}.MonkeyPatch.context()"),
                    asname=cst.AsName(name=cst.Name("monkeypatch")),
                )
            ],
            body=cst.IndentedBlock(body=rest),
        )
        return with_body(fn.with_changes(params=_without_param(fn.params, "monkeypatch")), [*doc, block])

    module = edit_function(module, op.arg("func"), edit)
    return ensure_import(module, "pytest") if pytest == "pytest" else module


