"""SLK605 across files: what tests call that fills a registry of the project (``registries.py``
summarizes the modules), and whether anything they see undoes it.

The test side (``record_registries``, per test file, beside ``units.record``) keeps, per test that
calls into the project, the words of its source (a reset names the container or a function that
empties it) and the literal first argument of each call (the key it registers); per fixture,
whether it has teardown; per test that decorates a class or function of its own with an imported
name (``@plugin``), that decoration as a call. ``registry_filled`` joins them with the summaries.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from sessionlint.context import FileContext, FunctionNode
from sessionlint.model import Diagnostic
from sessionlint.syntax import code_after_yield, first_yield, iter_nodes, own_nodes
from sessionlint.rules.code_state.instances import source_words
from sessionlint.rules.code_state.units import Call, FileRecord, Unit

if TYPE_CHECKING:
    from sessionlint.index import Project

KEY = "SLK6.fills"

_DECORATOR_LINE = re.compile(r"\n[ \t]+@")  # indented: module-level decorators are no test's
_FIRST_STR = re.compile(r"""[\w.]+\(\s*(['"])([^'"\\\n]*)\1""")


@dataclass
class RegistryRecord:
    mentions: dict[str, frozenset[str]] = field(default_factory=dict)  # test qualname -> words of its source
    keys: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (unit, line, col) -> literal 1st arg
    teardown: frozenset[str] = frozenset()  # fixtures (qualnames) with code after ``yield`` or a finalizer
    decorated: dict[str, list[tuple[Call, str]]] = field(default_factory=dict)  # test -> (``@name`` as a call, key)
    units: list[Unit] = field(default_factory=list)  # the tests that only decorate (no unit of their own)


def record_registries(ctx: FileContext, data: FileRecord) -> RegistryRecord | None:
    """For the tests and fixtures of a test file that call into the project (``units``), and the
    tests that decorate a class or function of their own with an imported name (``@register``)."""
    calling = {u.qualname: u for u in data.units if any(not c.access for c in u.calls)}
    found = RegistryRecord()
    teardown: set[str] = set()
    # the lines that start with a decorator, found once: a test holding none decorates nothing
    at: list[int] = []
    if "@" in ctx.text:
        starts = ctx.line_starts()
        at = [bisect_right(starts, m.start() + 1) for m in _DECORATOR_LINE.finditer(ctx.text)]
    for fn in ctx.functions:
        unit = calling.get(fn.qualname)
        decorated: list[tuple[Call, str]] = []
        if at and fn.test is not None:
            i = bisect_right(at, fn.node.lineno)
            if i < len(at) and at[i] <= (fn.node.end_lineno or fn.node.lineno):
                decorated = _decorations(ctx, fn)
        if unit is None and not decorated:
            continue
        if decorated:
            found.decorated[fn.qualname] = decorated
            if unit is None and fn.test is not None:
                found.units.append(
                    Unit(fn.qualname, fn.cls, "test", fn.node.name, fn.node.lineno, (*fn.test.args, *fn.test.usefixtures))
                )
            for call, key in decorated:
                found.keys[(fn.qualname, call.line, call.col)] = key
        if fn.test is not None or (unit is not None and unit.kind == "test"):
            found.mentions[fn.qualname] = source_words(ctx, fn.node)
        elif _has_teardown(fn.node):
            teardown.add(fn.qualname)
        for call in unit.calls if unit is not None else ():
            if call.access or call.line > len(ctx.lines):
                continue
            match = _FIRST_STR.match(ctx.lines[call.line - 1], call.col)
            if match is not None:
                found.keys[(fn.qualname, call.line, call.col)] = match.group(2)
    found.teardown = frozenset(teardown)
    return found if calling or found.decorated else None


def _decorations(ctx: FileContext, fn) -> list[tuple[Call, str]]:
    """``@register`` (an imported name, without a call: a call is one of the unit's calls) on a class
    or function the test defines: a call of ``register`` with what it decorates, whose name is the key."""
    found: list[tuple[Call, str]] = []
    for node in own_nodes(fn.node):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for dec in node.decorator_list:
            if not isinstance(dec, (ast.Name, ast.Attribute)):
                continue
            target = ctx.qualify(dec)
            root = dec
            while isinstance(root, ast.Attribute):
                root = root.value
            if target is None or not isinstance(root, ast.Name) or root.id not in ctx.aliases:
                continue
            span = ctx.span(dec)
            text = ast.unparse(dec)
            found.append((Call(sys.intern(target), text, span.line, span.col, span.end_line, span.end_col), node.name))
    return found


def _has_teardown(fn: FunctionNode) -> bool:
    yielded = first_yield(fn)
    if yielded is not None:
        return code_after_yield(fn, yielded)
    return any(isinstance(n, ast.Attribute) and n.attr in ("addfinalizer", "addCleanup") for n in iter_nodes(fn))


# the join -----------------------------------------------------------------------------------
def registry_filled(
    project: Project, facts, path: str, data: FileRecord, record: RegistryRecord, mentions_of
) -> Iterator[Diagnostic]:
    """SLK605: a test (or a function-scoped fixture without teardown) calls a first-party function
    that fills a module-level registry, and nothing it sees undoes it. ``mentions_of(where, key)``:
    the words of a fixture (by qualname) or of a class's xunit setups and teardowns ("setup:Cls")."""
    file_facts = project.get(path)
    fixtures = {f.qualname: f for f in file_facts.fixtures} if file_facts is not None else {}
    for unit in (*data.units, *record.units):
        if unit.kind == "fixture":
            fixture = fixtures.get(unit.qualname)
            if fixture is None or fixture.scope != "function" or unit.qualname in record.teardown:
                continue
        elif unit.qualname not in record.mentions:
            continue
        reported: set[tuple[str, str]] = set()
        decorated = [call for call, _key in record.decorated.get(unit.qualname, ())]
        decorations = {id(call) for call in decorated}
        calls = [*unit.calls, *decorated]
        for call in calls:
            if call.access:
                continue
            found = facts.resolve(call.target, path)
            summary = facts.summary(found[0]) if found is not None else None
            registries = getattr(summary, "registries", None)
            if registries is None:
                continue
            fill = registries.fills.get(found[1])
            if fill is None:
                continue
            module, container = found[0], fill.container
            key = record.keys.get((unit.qualname, call.line, call.col))
            if key is not None and key in registries.keys.get(container, ()):
                continue  # the module registers that key itself: registering it again changes nothing
            if (module, container) in reported:
                continue
            undo = {container} | {name for name, emptied in registries.resets.items() if container in emptied}
            if _undone(project, path, unit, record, undo, mentions_of):
                continue
            reported.add((module, container))
            rel = os.path.relpath(module, project.root_of(module))
            dotted = _module_name(call.target, found[1], rel)
            via = f" through {fill.via}()" if fill.via else ""
            who = f"test '{unit.name}'" if unit.kind == "test" else f"fixture '{unit.name}'"
            used = f"decorates with @{call.text}" if id(call) in decorations else f"calls {call.text}()"
            message = (
                f"{who} {used}{via}, which fills module registry {container} ({rel}:{fill.line}): "
                f"nothing undoes it, later tests see it"
            )
            if container in registries.mappings:
                fix_title = f"undo it with mock.patch.dict({dotted}.{container}) or unregister in a finally"
            else:
                fix_title = f"undo it with monkeypatch.setattr({dotted}, {container!r}, <a copy>) or remove it in a finally"
            yield Diagnostic(
                path, call.line, call.col, "SLK605", message, call.end_line, call.end_col, None,
                owner=unit.qualname, owner_kind=unit.kind, target="module-registry",
                target_key=f"{rel}:{container}", defined=f"{module}:{fill.line}", fix_title=fix_title,
            )  # fmt: skip


def _module_name(target: str, name: str, rel: str) -> str:
    """The module as the test names it (``app.plugins`` for ``app.plugins.register``) when the function
    is defined there, else the dotted form of its path."""
    module, _, last = target.rpartition(".")
    stem = os.path.splitext(rel)[0].split(os.sep)
    if stem and stem[-1] == "__init__":
        stem = stem[:-1]
    if last == name and module and not module.startswith(".") and stem[-len(module.split(".")) :] == module.split("."):
        return module
    top = target.lstrip(".").split(".")[0]
    if top in stem:  # re-exported (``from pandas.io.excel import register_writer``): the path from its package
        return ".".join(stem[len(stem) - 1 - stem[::-1].index(top) :])
    return _dotted(rel)


def _dotted(rel: str) -> str:
    parts = os.path.splitext(rel)[0].split(os.sep)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if len(parts) > 1 and parts[0] in ("src", "lib"):
        parts = parts[1:]
    return ".".join(parts)


def _undone(project: Project, path: str, unit, record: RegistryRecord, undo: set[str], mentions_of) -> bool:
    """Whether the unit, a fixture it requests (a few levels), an autouse fixture it sees or its class's
    setups and teardowns name the container or a function that empties it."""
    if unit.kind == "test" and undo & record.mentions.get(unit.qualname, frozenset()):
        return True
    if unit.kind == "fixture" and undo & mentions_of(path, unit.qualname):
        return True
    if unit.cls is not None:
        for prefix in _class_prefixes(unit.cls):
            if undo & mentions_of(path, f"setup:{prefix}"):
                return True
    if undo & mentions_of(path, "setup:"):
        return True
    visible = project.visible_fixtures(path, unit.cls)
    todo = list(unit.args)
    seen: set[str] = set()
    for name, candidates in visible.items():
        if candidates and candidates[0][0].autouse:
            todo.append(name)
    while todo:
        name = todo.pop()
        if name in seen or len(seen) > 50:
            continue
        seen.add(name)
        candidates = visible.get(name)
        if not candidates:
            continue
        fixture, where = candidates[0]
        if undo & mentions_of(where, fixture.qualname):
            return True
        todo.extend(fixture.args)
    return False


def _class_prefixes(cls: str) -> list[str]:
    parts = cls.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
