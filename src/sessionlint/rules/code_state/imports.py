"""SLK602: a test imports a module whose import-time state its patches feed, or a `__main__` that runs at import."""

from __future__ import annotations

from typing import Iterator

from sessionlint.index import Project
from sessionlint.model import Diagnostic
from sessionlint.rules.code_state.checks import Facts, _describe_patch, _rel
from sessionlint.rules.code_state.order import OrderRecord
from sessionlint.rules.code_state.summary import ModuleSummary
from sessionlint.rules.code_state.units import FileRecord, Import, Unit


# SLK602 ----------------------------------------------------------------------------------
_INPUT_OF = {"cwd": "cwd", "clock": "clock"}


def import_under_patch(
    project: Project, facts: Facts, path: str, data: FileRecord, order: OrderRecord | None = None
) -> Iterator[Diagnostic]:
    top_modules = {project.find_module(dotted, path) for _e, dotted in data.top_imports}
    top_modules |= {project.find_module(dotted.rsplit(".", 1)[0], path) for _e, dotted in data.top_imports if "." in dotted}
    for unit in data.units:
        if unit.kind != "test" or not unit.imports or unit.reloads:
            continue
        if order is not None and unit.qualname in order.isolated:
            continue  # run in another process: its imports are its own
        helpers = facts.fixture_units(path, unit.cls, unit.args)
        # a fixture that purges ``sys.modules`` before the test (before ``yield``, or with no
        # ``yield``) gives it a fresh import; one that purges only after ``yield`` comes too late
        if any(h.reloads and not (h.yield_at and h.reload_at > h.yield_at) for h, _w in helpers):
            continue
        late = next((h.name for h, _w in helpers if h.reloads), None)
        too_late = f"; fixture '{late}' purges sys.modules only after yield, too late for it" if late else ""
        inherited = [p for helper, _w in helpers for p in helper.patches if p.kind != "attr"]
        for imp in unit.imports:
            if imp.raising:
                continue  # an import expected to fail is not kept: the next one runs the module again
            for dotted in imp.modules:
                target = facts.module(dotted, path)
                if target is None:
                    continue
                if target in top_modules:
                    break
                summary = facts.summary(target)
                assert summary is not None
                where = _rel(project, target)
                if summary.runs_at_import:
                    yield _slk602(
                        path, imp, unit, f"imports {dotted}, which runs the program ({where}:"
                        f"{summary.runs_at_import}) only at the first import in a session{too_late}", f"{where}:__main__",
                        f"run it with runpy.run_module({dotted.rsplit('.', 1)[0]!r}, run_name='__main__'), "
                        "or call its main function",
                    )  # fmt: skip
                    break
                active = [p for p in unit.patches if p.kind != "attr" and p.line <= imp.line <= p.end] + inherited
                hit = _state_hit(summary, active)
                if hit is not None:
                    name, line, patch = hit
                    yield _slk602(
                        path, imp, unit, f"imports under a patched {_describe_input(patch)}, but {name} "
                        f"({where}:{line}) is computed once, at the first import{too_late}", f"{where}:{name}",
                        f"patch {name} itself, or reload the module after patching",
                    )  # fmt: skip
                break


def _slk602(path: str, imp: Import, unit: Unit, what: str, key: str, fix_title: str) -> Diagnostic:
    return Diagnostic(
        path, imp.line, imp.col, "SLK602", f"test '{unit.name}' {what}", imp.end_line, imp.end_col, None,
        owner=unit.qualname, owner_kind="test", target="import", target_key=key, fix_title=fix_title,
    )  # fmt: skip


def _describe_input(patch) -> str:
    return {"cwd": "the working directory", "clock": "the clock"}.get(patch.kind) or _describe_patch(patch)


def _state_hit(summary: ModuleSummary, patches):
    for name, (line, inputs) in summary.state.items():
        for patch in patches:
            if patch.kind == "env":
                keys = {i[4:] for i in inputs if i.startswith("env:")}
                if keys and (patch.key == "*" or "*" in keys or patch.key in keys):
                    return name, line, patch
            elif _INPUT_OF.get(patch.kind) in inputs:
                return name, line, patch
    return None
