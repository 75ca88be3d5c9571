"""Fixers for the rules in ``sessionlint.rules.fixture_mutation`` (libcst; loaded only to fix)."""

from __future__ import annotations

import libcst as cst

from sessionlint.fixes import edit_function, ensure_import, fixer, insert_first
from sessionlint.model import FixOp


@fixer("deepcopy-rebind")
def _deepcopy_rebind(module: cst.Module, op: FixOp) -> cst.Module:
    name = op.arg("name")
    code = f"{name} = copy.deepcopy({name})"
    return ensure_import(edit_function(module, op.arg("func"), lambda fn: insert_first(fn, code)), "copy")
