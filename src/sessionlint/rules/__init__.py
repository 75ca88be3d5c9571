"""The rule registry: one package per rule family, found by walking this package.

A family package (``sessionlint/rules/<family>/``) defines ``RULES`` (a list of
``Rule``), and optionally ``check_file(ctx)`` (per-file diagnostics, run during
extraction, in worker processes, results cached) and ``check_project(project,
settings)`` (cross-file diagnostics, run once in the parent after resolution).
Its libcst fixers live in ``<family>/fix.py``, imported only to fix.

Adding a family is adding a directory (as pyupgrade finds its ``_plugins``);
``catalog.CATALOG`` is the only hand-kept list of codes.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Iterable

from sessionlint.rules.base import Example, Rule

if TYPE_CHECKING:
    from sessionlint.context import FileContext


def _family_names() -> list[str]:
    return [info.name for info in pkgutil.iter_modules(__path__) if info.ispkg]


def _register(modules: Iterable[ModuleType]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for module in modules:
        for rule in module.RULES:
            if rule.code in rules:
                raise RuntimeError(f"rule code {rule.code} registered twice")
            rules[rule.code] = rule
    return dict(sorted(rules.items()))


def _load() -> list[ModuleType]:
    """Every family package, in the order of its lowest code (SLK001's family first)."""
    modules = [import_module(f"{__name__}.{name}") for name in _family_names()]
    return sorted(modules, key=lambda module: min(rule.code for rule in module.RULES))


MODULES = _load()
FAMILIES = tuple(module.__name__.rsplit(".", 1)[-1] for module in MODULES)
RULES: dict[str, Rule] = _register(MODULES)


def file_listeners(ctx: FileContext) -> list[object]:
    """The listeners of the one walk over a file: each family's ``listeners(ctx)``, if it has one.

    A listener has ``visit_<NodeType>(node)`` methods for statement types (``visit_Import``...);
    it keeps what it finds in ``ctx.collected`` for the family's ``check_file``.
    """
    found: list[object] = []
    for module in MODULES:
        make = getattr(module, "listeners", None)
        if make is not None:
            found.extend(make(ctx))
    return found


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


__all__ = ["Example", "Rule", "RULES", "MODULES", "FAMILIES", "file_listeners", "run_file_rules"]
