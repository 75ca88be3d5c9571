"""SLK603: a test passes a shared value to a first-party function that writes into that argument."""

from __future__ import annotations

from typing import Iterator

from sessionlint.index import Project
from sessionlint.model import Diagnostic, Fix, FixOp
from sessionlint.rules.code_state.checks import Facts, Func, _rel
from sessionlint.rules.code_state.units import FileRecord, Unit


# SLK603 ----------------------------------------------------------------------------------
def mutates_argument(project: Project, facts: Facts, path: str, data: FileRecord, immutable: frozenset[str]) -> Iterator[Diagnostic]:
    for unit in data.units:
        if unit.kind != "test":
            continue
        for call in unit.calls:
            if not call.args:
                continue
            start = facts.resolve(call.target, path)
            if start is None or facts.function(start) is None or "." in start[1]:
                continue  # methods: positions would count ``self``
            for where, name in call.args:
                found = _mutation(facts, start, where, 0)  # rare: asked before the fixture's resolution
                if found is None:
                    continue
                shared_label, container = _shared(project, path, unit, name, immutable, data)
                if shared_label is None:
                    continue
                chain, (what, line, ambiguous), func = found
                if ambiguous and not container:
                    continue
                at = f"{_rel(project, func[0])}:{line}"
                chain_text = " -> ".join(chain)
                op = FixOp(path, "copy-argument", (("func", unit.qualname), ("callee", call.text), ("name", name)))
                yield Diagnostic(
                    path, call.line, call.col, "SLK603",
                    f"test '{unit.name}' passes {shared_label} '{name}' to {chain_text}, which {what} at {at}",
                    call.end_line, call.end_col,
                    Fix("unsafe", f"Pass copy.deepcopy({name}) instead of '{name}'", (op,)),
                    fixture=name if "fixture" in shared_label else "",
                    scope=shared_label.split()[0].removesuffix("-scoped") if "fixture" in shared_label else "",
                    owner=unit.qualname, owner_kind="test",
                    target="argument", target_key=f"{_rel(project, func[0])}:{func[1]}",
                    fix_title=f"pass a copy (copy.deepcopy({name})): later tests see the change",
                )  # fmt: skip


def _shared(project: Project, path: str, unit: Unit, name: str, immutable, data: FileRecord) -> tuple[str | None, bool]:
    if name in unit.args:
        resolved = project.resolve(name, path, unit.cls)
        shared = project.shared(resolved, immutable)
        if shared is None or shared.resolved.fixture is None:
            return None, False
        value = shared.resolved.fixture.value
        return f"{shared.label} fixture", bool(value and value.kind in ("mutable", "shared", "param"))
    if name in data.containers and name not in unit.local:
        return "module-level container", True
    return None, False


def _mutation(facts: Facts, func: Func, where: str, depth: int):
    """The write ``func`` makes into its parameter ``where`` (a position or keyword), directly or
    through the calls it hands it to: (chain, (what, line, ambiguous), the writer); memoized."""
    key = (func, where, depth)
    if key not in facts.mutations:
        facts.mutations[key] = _find_mutation(facts, func, where, depth)
    return facts.mutations[key]


def _find_mutation(facts: Facts, func: Func, where: str, depth: int):
    summary = facts.function(func)
    if summary is None:
        return None
    index = int(where) if where.isdigit() else (summary.params.index(where) if where in summary.params else None)
    if index is None:
        return None
    if index in summary.mutates:
        return (f"{func[1]}()",), summary.mutates[index], func
    if depth >= 2:
        return None
    for callee, position, param in summary.passes:
        if param != index:
            continue
        target = facts.callee(func, callee)
        if target is None:
            continue
        found = _mutation(facts, target, position, depth + 1)
        if found is not None:
            return (f"{func[1]}()", *found[0]), found[1], found[2]
    return None
