"""SLK604: a test writes state that a first-party class keeps for all its instances.

Per test file, ``record_instances`` notes what each fixture hands out when it
is an instance of an imported class (``Registry()``) or what a classmethod
factory returns (``Config.instance()``), and, per test, the method calls and
writes made through a requested fixture's name. ``class_state_written`` joins
them with the class summaries (``classes.ClassState``) of the modules the
fixtures import.

Kept apart from ``units.py`` (SLK601-603's records) and stored under its own
key in ``FileFacts.rule_data``; it walks only the fixtures of a file and the
tests whose source uses a requested name as ``name.``.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Iterator

from sessionlint.context import FileContext, Function, FunctionNode, dotted_parts
from sessionlint.index import Project
from sessionlint.model import Diagnostic
from sessionlint.mutations import CONTAINER_METHODS
from sessionlint.syntax import code_after_yield, first_yield, iter_nodes, own_nodes

KEY = "SLK6.instances"
_BUILTIN = frozenset({
    "request", "monkeypatch", "tmp_path", "tmpdir", "capsys", "capfd", "caplog", "recwarn", "mocker",
    "tmp_path_factory", "pytestconfig", "capsysbinary", "capfdbinary",
})  # fmt: skip


@dataclass
class Handout:
    """An instance a fixture hands out: ``target`` called (``via`` "") or ``target.via()``."""

    target: str  # the qualified dotted name of the class (or of the callable, see ``alt``)
    alt: tuple[str, str] | None  # ``X.factory()``: (qualified X, "factory")
    teardown: bool  # a yield fixture with code after ``yield`` (it may reset the state)


@dataclass
class Use:
    test: str  # qualname
    name: str
    cls: str | None
    arg: str  # the requested fixture's name
    member: str  # method called or attribute written
    kind: str  # "call" | "item" (item or container write into the attribute) | "set" (attribute assigned)
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass
class InstanceRecord:
    handouts: dict[str, Handout] = field(default_factory=dict)  # fixture qualname -> what it hands out
    uses: list[Use] = field(default_factory=list)
    # names a fixture or test body mentions (attribute names, strings): a reset of ``handlers``
    # (``Registry.handlers.clear()``, ``monkeypatch.setattr(Registry, "handlers", {})``) names it
    mentions: dict[str, frozenset[str]] = field(default_factory=dict)
    requested: dict[str, tuple[str, ...]] = field(default_factory=dict)  # test qualname -> fixtures it requests


def record_instances(ctx: FileContext) -> InstanceRecord | None:
    record = InstanceRecord()
    for fn in ctx.fixtures():
        handout = _handout(ctx, fn)
        if handout is not None:
            record.handouts[fn.qualname] = handout
        record.mentions[fn.qualname] = source_words(ctx, fn.node)
    for fn in ctx.functions:  # xunit setups and teardowns, by class ("setup:" for the module's)
        if fn.fixture is None and fn.test is None and fn.node.name in _XUNIT:
            key = f"setup:{fn.cls or ''}"
            record.mentions[key] = record.mentions.get(key, frozenset()) | source_words(ctx, fn.node)
    for fn in ctx.tests():
        assert fn.test is not None
        args = [a for a in fn.test.args if a not in _BUILTIN]
        if not args:
            continue
        start, end = ctx.text_range(fn.node.lineno, fn.node.end_lineno or fn.node.lineno)
        text = ctx.text[start:end]
        used = [a for a in args if f"{a}." in text]
        if used:
            uses = _uses(ctx, fn, set(used))
            if uses:
                record.uses += uses
                record.requested[fn.qualname] = (*fn.test.args, *fn.test.usefixtures)
                record.mentions[fn.qualname] = _test_strings(ctx, fn.node)
    return record if record.uses or record.handouts or record.mentions else None


_XUNIT = frozenset({
    "setup_method", "teardown_method", "setup_class", "teardown_class", "setup_module", "teardown_module",
    "setup_function", "teardown_function", "setUp", "tearDown", "setUpClass", "tearDownClass", "setup", "teardown",
    "setUpModule", "tearDownModule",
})  # fmt: skip


def mentions_of(project: Project, where: str, key: str) -> frozenset[str]:
    """The words of a fixture (by qualname) or of xunit setups ("setup:Class") of the file ``where``."""
    theirs = project.get(where)
    data = theirs.rule_data.get(KEY) if theirs is not None else None
    return data.mentions.get(key, frozenset()) if isinstance(data, InstanceRecord) else frozenset()


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def source_words(ctx: FileContext, node: FunctionNode) -> frozenset[str]:
    """The identifiers and identifier-like words (in strings too) of a function's source: a text
    scan, cheaper than a walk, and generous (a name in a comment counts: it only silences).
    Interned: the same words recur in every function, and pickle stores one object once."""
    start, end = ctx.text_range(node.lineno, node.end_lineno or node.lineno)
    return frozenset(map(sys.intern, set(_WORD.findall(ctx.text, start, end))))


_QUOTED = re.compile(r"""['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")


def _test_strings(ctx: FileContext, node: FunctionNode) -> frozenset[str]:
    """The identifier-like strings of a test (``monkeypatch.setattr(Registry, "handlers", {})``)."""
    start, end = ctx.text_range(node.lineno, node.end_lineno or node.lineno)
    return frozenset(_QUOTED.findall(ctx.text, start, end))


def _handout(ctx: FileContext, fn: Function) -> Handout | None:
    value: ast.expr | None = None
    locals_: dict[str, ast.expr] = {}
    teardown = False
    yielded = first_yield(fn.node)
    for node in own_nodes(fn.node):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            locals_[node.targets[0].id] = node.value
        elif isinstance(node, ast.Return) and node.value is not None:
            value = node.value
    if yielded is not None and isinstance(yielded, ast.Yield):
        value = yielded.value
        teardown = code_after_yield(fn.node, yielded)
    if isinstance(value, ast.Name):
        value = locals_.get(value.id)
    if not isinstance(value, ast.Call) or value.args and isinstance(value.args[0], ast.Starred):
        return None
    func = value.func
    parts = dotted_parts(func)
    if parts is None or parts[0] not in ctx.aliases:
        return None
    target = ctx.qualify(func)
    if target is None:
        return None
    alt = None
    if isinstance(func, ast.Attribute):
        owner = ctx.qualify(func.value)
        alt = (owner, func.attr) if owner else None
    return Handout(target, alt, teardown)


def _uses(ctx: FileContext, fn: Function, args: set[str]) -> list[Use]:
    uses: list[Use] = []
    rebound: set[str] = set()
    assert fn.test is not None

    def add(arg: str, member: str, kind: str, node: ast.AST) -> None:
        span = ctx.span(node)
        uses.append(Use(fn.qualname, fn.node.name, fn.cls, arg, member, kind, span.line, span.col, span.end_line, span.end_col))

    def on_arg(node: ast.expr) -> tuple[str, str] | None:
        """``arg.member`` under any subscripts: (arg, member)."""
        while isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in args:
            return node.value.id, node.attr
        return None

    needles = tuple(f"{a}." for a in args)
    for stmt in _statements(fn.node.body):
        for target in _bound_by(stmt):
            rebound |= {
                n.id for n in iter_nodes(target)
                if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)) and n.id in args
            }  # fmt: skip
        if isinstance(stmt, _COMPOUND):
            continue  # its body's statements come next; its header is not searched
        text = "\n".join(ctx.lines[stmt.lineno - 1 : stmt.end_lineno or stmt.lineno])
        if any(needle in text for needle in needles):
            _scan(stmt, args, add, on_arg)
    return [u for u in uses if u.arg not in rebound]


_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()
)


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a body and of the compound statements in it, not of nested defs."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield stmt
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list):
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", ()):
            yield from _statements(handler.body)
        for case in getattr(stmt, "cases", ()):
            yield from _statements(case.body)


def _bound_by(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, (ast.Assign, ast.Delete)):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        return [stmt.target]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    return []


def _scan(stmt: ast.stmt, args: set[str], add, on_arg) -> None:
    for node in iter_nodes(stmt):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                found = on_arg(target)
                if found is not None:
                    add(*found, "set" if isinstance(target, ast.Attribute) else "item", node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if isinstance(func.value, ast.Name) and func.value.id in args:
                add(func.value.id, func.attr, "call", node)
            elif func.attr in CONTAINER_METHODS:
                found = on_arg(func.value)
                if found is not None and isinstance(func.value, ast.Attribute):
                    add(*found, "item", node)


# the join ------------------------------------------------------------------------------------
def handing_out(project: Project, facts) -> frozenset[str]:
    """The names of the run's fixtures that hand out an instance of a class keeping shared state
    (a ``Handout`` whose class has a ``ClassState``): a use of any other name needs no fixture
    resolution (the costly part of the join)."""
    names: set[str] = set()
    for path, file_facts in project.facts.items():
        theirs = file_facts.rule_data.get(KEY)
        if isinstance(theirs, InstanceRecord) and theirs.handouts:
            for fixture in file_facts.fixtures:
                handout = theirs.handouts.get(fixture.qualname)
                if handout is not None and not handout.teardown and (
                    _class_of(facts, handout, path) is not None or _accessor_of(facts, handout, path) is not None
                ):
                    names.add(fixture.name)
    return frozenset(names)


def class_state_written(
    project: Project, facts, path: str, record: InstanceRecord, names: frozenset[str] | None = None,
    immutable: frozenset[str] = frozenset(),
) -> Iterator[Diagnostic]:
    reported: set[tuple[str, str, str]] = set()
    for use in record.uses:
        if names is not None and use.arg not in names:
            continue
        resolved = project.resolve(use.arg, path, use.cls)
        if resolved is None or resolved.fixture is None or resolved.path is None:
            continue
        fixture_facts = project.get(resolved.path)
        theirs = fixture_facts.rule_data.get(KEY) if fixture_facts is not None else None
        handout = theirs.handouts.get(resolved.fixture.qualname) if isinstance(theirs, InstanceRecord) else None
        if handout is None or handout.teardown:
            continue
        found = _class_of(facts, handout, resolved.path) or _accessor_of(facts, handout, resolved.path)
        if found is None:
            continue
        module, state, factory = found
        hit = _hit(state, use, factory)
        if hit is None:
            continue
        attr, line, what = hit
        key = (use.test, state.name, attr)
        if key in reported or _reset_seen(project, path, use, attr, record):
            continue
        if _slk201_reports(project, path, use, resolved, immutable):
            continue  # the fixture's value is already shared (SLK101/SLK102): SLK201 reports this write
        reported.add(key)
        rel = os.path.relpath(module, project.root_of(module))
        if factory:
            acted = f"calls {use.arg}.{use.member}()" if use.kind == "call" else f"writes {use.arg}.{use.member}"
            which = f", which {what}" if use.kind == "call" else ""
            if factory == "__new__":
                how = f"singleton {state.name}() ({rel}:{state.line}: __new__ hands out one instance)"
            elif factory == state.singleton and factory.endswith("()"):
                how = f"singleton {factory} ({rel}:{state.line}: returns the module's one {state.name})"
            else:
                how = f"singleton {state.name}.{factory}() ({rel}:{state.line})"
            message = f"test '{use.name}' {acted} on {how}{which}: later tests get it too"
            fix_title = f"reset the singleton's {attr!r} after the test, or hand out a fresh instance"
        else:
            acted = f"calls {use.arg}.{use.member}(), which writes" if use.kind == "call" else "writes"
            message = (
                f"test '{use.name}' {acted} class attribute {state.name}.{attr} ({rel}:{line}), "
                f"shared by every instance"
            )
            fix_title = f"reset it around the test: monkeypatch.setattr({state.name}, {attr!r}, <fresh copy>)"
        yield Diagnostic(
            path, use.line, use.col, "SLK604", message, use.end_line, use.end_col, None,
            fixture=use.arg, scope=resolved.fixture.scope or "dynamic", owner=use.test, owner_kind="test", target="class-state",
            target_key=f"{rel}:{state.name}.{attr}", defined=f"{module}:{line}", fix_title=fix_title,
        )  # fmt: skip


def _class_of(facts, handout: Handout, where: str):
    """(module path, ClassState, singleton factory or "") for what the fixture hands out."""
    candidates = [(handout.target, "")] + ([handout.alt] if handout.alt else [])
    for dotted, factory in candidates:
        found = facts.resolve(dotted, where)
        summary = facts.summary(found[0]) if found is not None else None
        state = summary.classes.get(found[1]) if summary is not None and found is not None else None
        if state is None:
            continue
        if factory:
            return (found[0], state, factory) if state.singleton == factory else None
        if state.singleton == "__new__":
            return found[0], state, "__new__"  # ``Config()``: ``__new__`` hands out the one instance
        return found[0], state, ""
    return None


def _accessor_of(facts, handout: Handout, where: str):
    """``get_registry()``: a first-party function that hands out its module's one instance."""
    if handout.alt is not None:
        return None
    found = facts.resolve(handout.target, where)
    summary = facts.summary(found[0]) if found is not None else None
    registries = getattr(summary, "registries", None)
    accessor = registries.accessors.get(found[1]) if registries is not None else None
    if accessor is None:
        return None
    state = accessor[1]
    return found[0], state, state.singleton


def _slk201_reports(project: Project, path: str, use: Use, resolved, immutable: frozenset[str]) -> bool:
    """Whether SLK201 reports this very write: the fixture's value outlives the test and the test's
    mutations (as SLK201 records them) hold one through the same name on the same line."""
    if project.shared(resolved, immutable) is None:
        return False
    facts = project.get(path)
    for test in facts.tests if facts is not None else ():
        if test.qualname == use.test:
            return any(m.name == use.arg and m.span.line == use.line for m in test.mutations)
    return False


def _hit(state, use: Use, factory: str) -> tuple[str, int, str] | None:
    if use.kind == "call":
        writer = state.writers.get(use.member)
        if writer is None:
            return None
        attr, line, what = writer
        if factory or attr in state.attrs:
            return attr, state.attrs.get(attr, line), what
        return None
    if use.member in state.attrs:
        return use.member, state.attrs[use.member], "writes"
    if factory and use.member != "__class__":
        return use.member, state.line, "writes"
    return None


def _reset_seen(project: Project, path: str, use: Use, attr: str, record: InstanceRecord) -> bool:
    """Whether the test, a fixture it requests or an autouse fixture it sees names ``attr``:
    a reset we trust (``Registry.handlers.clear()``, ``monkeypatch.setattr(Registry, "handlers", {})``)."""
    if attr in record.mentions.get(use.test, frozenset()):  # the test's strings
        return True
    requested = set(record.requested.get(use.test, ())) - {use.arg}
    for name, candidates in project.visible_fixtures(path, use.cls).items():
        fixture, where = candidates[0]
        if name not in requested and not fixture.autouse:
            continue
        theirs = project.get(where)
        data = theirs.rule_data.get(KEY) if theirs is not None else None
        if isinstance(data, InstanceRecord) and attr in data.mentions.get(fixture.qualname, frozenset()):
            return True
    return False
