"""The rule registry: one module per rule family.

A family module defines ``RULES`` (a list of ``Rule``), and optionally
``check_file(ctx)`` (per-file diagnostics, run during extraction, in worker
processes, results cached) and ``check_project(project)`` (cross-file
diagnostics, run once in the parent after resolution).
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

from sessionlint.rules.base import Example, Rule

if TYPE_CHECKING:
    from sessionlint.context import FileContext

FAMILIES = ("parse", "shared", "module_state", "resources", "globalstate", "database", "scope")


def _load() -> list[ModuleType]:
    return [import_module(f"sessionlint.rules.{name}") for name in FAMILIES]


MODULES = _load()
RULES: dict[str, Rule] = {}
for _module in MODULES:
    for _rule in _module.RULES:
        if _rule.code in RULES:
            raise RuntimeError(f"rule code {_rule.code} registered twice")
        RULES[_rule.code] = _rule


def run_file_rules(ctx: FileContext) -> None:
    """Run every family's per-file checks; a crash in one is recorded, not raised."""
    for module in MODULES:
        check = getattr(module, "check_file", None)
        if check is None:
            continue
        try:
            check(ctx)
        except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
            ctx.facts.internal_error = f"{module.__name__}: {type(exc).__name__}: {exc}"


__all__ = ["Example", "Rule", "RULES", "MODULES", "run_file_rules"]
