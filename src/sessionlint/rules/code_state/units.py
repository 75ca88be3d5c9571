"""What each test and fixture of a test file does to the code under test: picklable, per file.

Patches (``monkeypatch.setenv``, ``mock.patch.dict(os.environ, ...)``,
``mock.patch("pkg.mod.NAME")``, ``os.environ[...] = ``...) with the lines
they are active over, calls to imported names, ``cache_clear`` references,
imports inside the body and the fixtures it requests.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from sessionlint.context import FileContext, FunctionNode, dotted_parts
from sessionlint.syntax import first_yield, iter_nodes
from sessionlint.rules.code_state.dynamic import Strings

_NOT_FIRST_PARTY = frozenset(sys.stdlib_module_names) | {"pytest", "_pytest", "mock", "pytest_mock"}
_ENV_WRITERS = frozenset({"os.environ.update", "os.environ.setdefault", "os.environ.pop", "os.environ.clear",
                          "os.putenv", "os.unsetenv"})  # fmt: skip


# Patches, calls and imports are NamedTuples: a test file holds thousands of them, and the cache
# pickles a tuple without the field names a dataclass instance repeats (a fifth of the size).
class Patch(NamedTuple):
    kind: str  # "env" | "attr" | "cwd" | "clock"
    key: str  # env key or "*"; dotted target for "attr"
    line: int
    end: int  # the last line the patch is active on


class Call(NamedTuple):
    target: str  # qualified dotted name (relative names keep their dots)
    text: str  # the callee as written
    line: int
    col: int
    end_line: int
    end_col: int
    args: tuple[tuple[str, str], ...] = ()  # (position or keyword, name passed)
    access: bool = False  # an attribute read (``index.client``), not a call: only a property runs


class Import(NamedTuple):
    modules: tuple[str, ...]  # candidate modules, most specific first
    line: int
    col: int
    end_line: int
    end_col: int
    text: str
    raising: bool = False  # inside ``with pytest.raises(...)``: a failed import is not kept, the next one runs again


@dataclass
class Unit:
    qualname: str
    cls: str | None
    kind: str  # "test" | "fixture"
    name: str  # the test's name, or the fixture's requested name
    line: int
    args: tuple[str, ...]
    autouse: bool = False
    patches: list[Patch] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    clears: frozenset[str] = frozenset()  # qualified names whose cache_clear is referenced; "*": not known
    imports: list[Import] = field(default_factory=list)
    reloads: bool = False  # importlib.reload or sys.modules edits: imports are deliberate
    reload_at: int = 0  # the line of the first of them
    yield_at: int = 0  # a fixture's first ``yield``: a purge after it comes after the test
    local: frozenset[str] = frozenset()  # module-level containers of the file the function rebinds


@dataclass
class FileRecord:
    units: list[Unit] = field(default_factory=list)
    top_imports: tuple[tuple[str, str], ...] = ()  # (expression usable in the module, qualified name)
    containers: frozenset[str] = frozenset()  # module-level names bound to mutable container displays


def record(ctx: FileContext) -> FileRecord:
    result = FileRecord(top_imports=_top_imports(ctx.tree))
    result.containers = frozenset(
        name for name, value in ctx.module_globals.items()
        if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp))
    )  # fmt: skip
    unittest_classes = _unittest_classes(ctx.tree)
    first_party = _first_party_names(ctx)
    # a file that imports nothing of the project has no test that reaches its code; its fixtures'
    # patches and cache resets still count for the tests that request them
    tests_reach_project = bool(first_party) or "import_module" in ctx.text
    # first-party names that are not modules (``import app`` binds one): reading an attribute of
    # one may run a property of a module-level instance
    modules = {(a.asname or a.name).split(".")[0] for s in ctx.tree.body if isinstance(s, ast.Import) for a in s.names}
    objects = {name: q for name, q in first_party.items() if name not in modules}
    strings = Strings(ctx) if "import_module" in ctx.text or "__import__" in ctx.text else None
    if first_party:
        starts = ctx.line_starts()
        timing = _TIMING_WORDS + tuple(name for name, q in ctx.aliases.items() if q.startswith("os.environ"))
    for fn in ctx.functions:
        if fn.fixture is None and not tests_reach_project:
            continue
        if fn.test is not None:
            unit = Unit(fn.qualname, fn.cls, "test", fn.node.name, fn.node.lineno, (*fn.test.args, *fn.test.usefixtures))
        elif fn.fixture is None and fn.cls in unittest_classes and fn.node.name.startswith("test"):
            # a unittest.TestCase method: pytest runs it, with no fixtures (its class is not named Test*)
            unit = Unit(fn.qualname, fn.cls, "test", fn.node.name, fn.node.lineno, ())
        elif fn.fixture is not None:
            fixture = fn.fixture
            unit = Unit(fn.qualname, fn.cls, "fixture", fixture.name, fn.node.lineno, fixture.args, fixture.autouse)
        else:
            continue
        shared = result.containers | set(unit.args)  # the names SLK603 can follow
        seen: set[str] | None = None  # the call targets met, in an untimed function
        if first_party and fn.node.body:
            # no word of a patch or a clear in the function: nothing in it is timed against its
            # calls, and the first call of each target speaks for the others (kept once)
            text = ctx.text[starts[fn.node.lineno - 1] : starts[min(fn.node.end_lineno or fn.node.lineno, len(starts) - 1)]]
            seen = None if any(word in text for word in timing) else set()
        _fill(ctx, fn.node, unit, first_party, objects, strings, shared, seen)
        if unit.kind == "fixture" and unit.reloads:
            yielded = first_yield(fn.node)
            unit.yield_at = yielded.lineno if yielded is not None else 0
        if unit.patches or unit.calls or unit.clears or unit.imports or unit.reloads:
            result.units.append(unit)
    return result


def _first_party_names(ctx: FileContext) -> dict[str, str]:
    """The imported names whose calls are recorded: those that lead to a module of the project
    (with the run's module search), or every name from outside the stdlib and pytest without one.
    The names judged to be libraries are kept in the facts (``assumed_absent``): cached facts are
    reused only while none of them leads to the project."""
    candidates = {name: q for name, q in ctx.aliases.items() if q.split(".")[0] not in _NOT_FIRST_PARTY}
    modules = ctx.modules
    if modules is None:
        return candidates
    found: dict[str, str] = {}
    absent: set[str] = set()
    for name, q in candidates.items():
        if modules.leads_to_project(q, ctx.path):
            found[name] = q
        else:
            absent.add(q)
    ctx.facts.assumed_absent = tuple(sorted(absent))
    ctx.facts.assumed_search = modules.key
    return found


def _unittest_classes(tree: ast.Module) -> set[str]:
    """Qualified names of the classes of the file that derive from a ``*TestCase`` class
    (``unittest.TestCase``, ``django.test.TestCase``, a project's ``BaseTestCase``...)."""
    found: set[str] = set()
    # depth first in source order, with a stack of iterators: a recursive closure would be a
    # reference cycle (the function holds the cell that holds it)
    stack: list[tuple[Iterator[ast.stmt], str | None]] = [(iter(tree.body), None)]
    while stack:
        body, outer = stack[-1]
        stmt = next(body, None)
        if stmt is None:
            stack.pop()
        elif isinstance(stmt, ast.ClassDef):
            name = f"{outer}.{stmt.name}" if outer else stmt.name
            for base in stmt.bases:
                parts = dotted_parts(base)
                last = (parts[1][-1] if parts[1] else parts[0]) if parts else ""
                if last.endswith("TestCase") or last in found:
                    found.add(name)
                    break
            stack.append((iter(stmt.body), name))
    return found


def _top_imports(tree: ast.Module) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                found.append((alias.asname or alias.name, alias.name))
        elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
            for alias in stmt.names:
                if alias.name != "*":
                    found.append((alias.asname or alias.name, f"{stmt.module}.{alias.name}"))
    return tuple(found)


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


# the last name of every call ``_patches`` can recognise: the others are not qualified at all
_PATCH_NAMES = frozenset(
    {"setenv", "delenv", "setitem", "delitem", "chdir", "freeze_time", "dict", "setattr", "object", "patch"}
    | {name.rsplit(".", 1)[1] for name in _ENV_WRITERS}
)


def _patches(ctx: FileContext, call: ast.Call, line: int, end: int) -> list[Patch]:
    func = call.func
    attr = func.attr if isinstance(func, ast.Attribute) else ""
    if (attr or getattr(func, "id", "")) not in _PATCH_NAMES:
        return []
    q = ctx.qualify(func) or ""
    first = call.args[0] if call.args else None
    if attr in ("setenv", "delenv"):
        return [Patch("env", _str(first) or "*", line, end)]
    if attr in ("setitem", "delitem") and first is not None and ctx.qualify(first) == "os.environ":
        return [Patch("env", _str(call.args[1] if len(call.args) > 1 else None) or "*", line, end)]
    if attr == "chdir" or q == "os.chdir":
        return [Patch("cwd", "", line, end)]
    if q.endswith("freeze_time"):
        return [Patch("clock", "", line, end)]
    if q in _ENV_WRITERS:
        return [Patch("env", _str(first) if q in ("os.environ.pop", "os.environ.setdefault", "os.putenv", "os.unsetenv") and _str(first) else "*", line, end)]
    if attr == "dict" and isinstance(func, ast.Attribute) and (
        func.value.attr if isinstance(func.value, ast.Attribute) else getattr(func.value, "id", "")
    ) == "patch":
        target = ctx.qualify(first) if first is not None and not isinstance(first, ast.Constant) else _str(first)
        if target != "os.environ":
            return []
        clear = any(k.arg == "clear" and not (isinstance(k.value, ast.Constant) and not k.value.value) for k in call.keywords)
        keys = [k.arg for k in call.keywords if k.arg and k.arg != "clear"]
        values = call.args[1] if len(call.args) > 1 else None
        if isinstance(values, ast.Dict) and not clear:
            for key in values.keys:
                keys.append(_str(key) or "*" if key is not None else "*")
        elif values is not None or clear or any(k.arg is None for k in call.keywords):
            keys.append("*")
        return [Patch("env", k, line, end) for k in keys]
    if attr == "setattr" or (attr == "object" and isinstance(func, ast.Attribute) and q.endswith("patch.object")):
        if first is None:
            return []
        name = _str(first)
        if name is not None:
            return [Patch("attr", name, line, end)] if "." in name and attr == "setattr" else []
        owner = ctx.qualify(first)
        attr_name = _str(call.args[1] if len(call.args) > 1 else None)
        if owner and attr_name:
            return [Patch("attr", f"{owner}.{attr_name}", line, end)]
        return []
    if attr == "patch" or q in ("unittest.mock.patch", "mock.patch"):
        name = _str(first)
        if name and "." in name:
            return [Patch("attr", name, line, end)]
    return []


def _fill(
    ctx: FileContext, fn: FunctionNode, unit: Unit, first_party: dict[str, str], objects: dict[str, str],
    strings: Strings | None, shared: frozenset[str] = frozenset(), seen: set[str] | None = None,
) -> None:
    """One pass over ``fn``'s nodes (``iter_nodes``: parents first, so a ``with`` statement is met
    before the calls of its items and their extent is known when they are)."""
    extents: dict[int, tuple[int, int]] = {}
    end = fn.end_lineno or fn.lineno
    # decorators run once, when the module is imported: their calls are not the test's
    # (django's ``@setup(templates)`` fills a module dict at collection); their patches are.
    # A decorator ends on a line above ``def`` (``lineno``), where the rest of the function begins
    def_line = fn.lineno
    for dec in fn.decorator_list:
        if dec.__class__ is ast.Call:
            extents[id(dec)] = (fn.lineno, end)
    clears: set[str] = set()
    raising: list[tuple[int, int]] = []  # the lines of ``with pytest.raises(...)`` blocks
    local: set[str] = {a.arg for a in fn.args.args}
    # names bound once to an instance of a first-party class (``index = PackageIndex(url)``): the
    # class of what their attributes run is certain; ``called``: the attributes that are callees
    instances: dict[str, str] = {}
    binding: set[int] = set()
    called: set[int] = set()
    Call, Name, Attribute, Store, Load = ast.Call, ast.Name, ast.Attribute, ast.Store, ast.Load
    Assign, With, AsyncWith, Subscript = ast.Assign, ast.With, ast.AsyncWith, ast.Subscript
    AstImport, AstImportFrom = ast.Import, ast.ImportFrom
    # the kinds the loop looks at past the first three: anything else is passed over at once
    rest = {Assign, With, AsyncWith, Subscript, AstImport, AstImportFrom, ast.Try}
    fp = bool(first_party)
    for node in iter_nodes(fn):
        kind = node.__class__
        if kind is Name:
            if node.ctx.__class__ is Store:
                local.add(node.id)
                if instances and id(node) not in binding:
                    instances.pop(node.id, None)  # bound again: not certain any more
        elif kind is Call:
            if fp and node.func.__class__ is Attribute:
                called.add(id(node.func))
            if strings is not None:
                _computed(ctx, node, fn, unit, strings)
            _call(ctx, node, unit, extents.get(id(node)) or (node.lineno, end), first_party, node.lineno < def_line, shared, seen)
        elif kind is Attribute:
            if node.attr == "cache_clear":
                clears.add(cleared(ctx, node))
            elif fp and node.ctx.__class__ is Load:
                value = node.value
                if value.__class__ is Call or value.__class__ is Name and (value.id in instances or value.id in objects):
                    _member(ctx, node, unit, first_party, objects, instances, id(node) in called, seen)
        elif kind not in rest:
            continue
        elif kind is Assign:
            if fp and len(node.targets) == 1 and node.targets[0].__class__ is Name and node.value.__class__ is Call:
                found = dotted_parts(node.value.func)
                if found is not None and found[0] in first_party and found[0] not in local:
                    name = node.targets[0].id
                    if name in local:
                        instances.pop(name, None)
                    else:
                        instances[name] = ".".join([first_party[found[0]], *found[1]])
                        binding.add(id(node.targets[0]))
        elif kind is With or kind is AsyncWith:
            for item in node.items:
                if item.context_expr.__class__ is Call:
                    extents[id(item.context_expr)] = (node.lineno, node.end_lineno or node.lineno)
                    found = dotted_parts(item.context_expr.func)
                    if found is not None and (found[1][-1] if found[1] else found[0]) in _RAISES:
                        raising.append((node.lineno, node.end_lineno or node.lineno))
        elif kind is Subscript:
            if node.ctx.__class__ is not Load:
                q = ctx.qualify(node.value)
                if q == "sys.modules":
                    _reloads(unit, node.lineno)
                elif q == "os.environ":
                    unit.patches.append(Patch("env", _str(node.slice) or "*", node.lineno, end))
        elif kind is ast.Try:
            # ``try: import app.__main__`` / ``except SystemExit:``: a failed import is not kept either
            if any(h.type is None or _names_exit(h.type) for h in node.handlers) and node.body:
                raising.append((node.lineno, node.body[-1].end_lineno or node.lineno))
        elif kind is AstImport:
            fails = any(a <= node.lineno <= b for a, b in raising)
            for alias in node.names:
                unit.imports.append(Import((alias.name,), *_pos(ctx, node), f"import {alias.name}", fails))
        elif kind is AstImportFrom:
            if node.level == 0 and node.module:
                fails = any(a <= node.lineno <= b for a, b in raising)
                for alias in node.names:
                    unit.imports.append(Import(
                        (f"{node.module}.{alias.name}", node.module), *_pos(ctx, node),
                        f"from {node.module} import {alias.name}", fails,
                    ))  # fmt: skip
    unit.clears = frozenset(clears)
    if not unit.patches and not clears and len(unit.calls) > 1:
        # nothing in the test itself is timed against its calls: the first call of each target
        # speaks for the others (a whole-repository run records every call into the project)
        seen: set[tuple[str, bool]] = set()
        kept: list[Call] = []
        for call in unit.calls:
            key = (call.target, call.access)
            if call.args or key not in seen:
                seen.add(key)
                kept.append(call)
        unit.calls = kept
    unit.local = frozenset(local.intersection(shared).difference(unit.args))  # SLK603 asks only about containers


def _computed(ctx: FileContext, node: ast.Call, fn: FunctionNode, unit: Unit, strings: Strings) -> None:
    """``importlib.import_module(name)`` with a provable name (``dynamic.py``): an import of each
    module it may load; ``mod.func()`` on a requested fixture of the file that hands out modules:
    a call of ``func`` of each of them."""
    func = node.func
    last = func.attr if func.__class__ is ast.Attribute else getattr(func, "id", "")
    if last in _IMPORTERS:
        for name in strings.imported(node, fn) or ():
            unit.imports.append(Import((name,), *_pos(ctx, node), name))
        return
    found = dotted_parts(func)
    if found is None or not found[1] or found[0] not in unit.args:
        return
    for module in strings.fixture_modules(found[0]) or ():
        target = sys.intern(".".join([module, *found[1]]))
        unit.calls.append(Call(target, ".".join([found[0], *found[1]]), *_pos(ctx, node)))


def _member(
    ctx: FileContext, node: ast.Attribute, unit: Unit, first_party: dict[str, str], objects: dict[str, str],
    instances: dict[str, str], call: bool, seen: set[str] | None = None,
) -> None:
    """``index.client`` / ``index.upload()`` on a name bound to ``Class(...)``, ``Class(...).client``,
    and ``settings.value`` on a first-party name (a property of a module-level instance runs)."""
    value = node.value
    if value.__class__ is ast.Name:
        owner = instances.get(value.id)
        if owner is None:
            if call or value.id not in objects:
                return  # calls on first-party names are recorded by ``_call``
            owner = objects[value.id]
    elif value.__class__ is ast.Call:
        found = dotted_parts(value.func)
        if found is None or found[0] not in first_party:
            return
        owner = ".".join([first_party[found[0]], *found[1]])
    else:
        return
    target = f"{owner}.{node.attr}"
    if seen is not None:
        key = f"{target}@" if not call else target  # an attribute read and a call are told apart
        if key in seen:
            return
        seen.add(key)
    text = f"{ast.unparse(value.func)}(...).{node.attr}" if value.__class__ is ast.Call else f"{value.id}.{node.attr}"
    unit.calls.append(Call(sys.intern(target), sys.intern(text), *_pos(ctx, node), (), not call))


def cleared(ctx: FileContext, node: ast.Attribute) -> str:
    """What ``X.cache_clear`` clears: ``X`` qualified when it is an imported name, else "*" (not known)."""
    found = dotted_parts(node.value)
    return (ctx.qualify(node.value) or "*") if found and found[0] in ctx.aliases else "*"


_RELOADERS = frozenset({"reload"})
# words one of which a function holds when ``_patches`` or a ``cache_clear`` may record something
# in it (``patch.dict``/``patch.object`` say "patch", the ``os.environ`` writers "environ"): a
# function without any (nor a name the module binds to ``os.environ``) is untimed
_TIMING_WORDS = ("setenv", "delenv", "setitem", "delitem", "chdir", "freeze_time", "setattr", "patch", "environ",
                 "putenv", "unsetenv", "cache_clear")  # fmt: skip
_IMPORTERS = frozenset({"import_module", "__import__"})
_RAISES = frozenset({"raises", "assertRaises", "assertRaisesRegex", "suppress"})
_EXITS = frozenset({"SystemExit", "BaseException"})


def _call(
    ctx: FileContext, node: ast.Call, unit: Unit, extent: tuple[int, int], first_party: dict[str, str], decorating: bool,
    shared: frozenset[str], seen: set[str] | None,
) -> None:
    func = node.func
    found = dotted_parts(func)
    if found is None:
        return
    root, attrs = found
    last = attrs[-1] if attrs else root
    if last in _PATCH_NAMES:
        unit.patches += _patches(ctx, node, *extent)
    if last in _RELOADERS or "modules" in attrs or root == "modules":
        q = ctx.qualify(func) or ""
        if q in ("importlib.reload", "imp.reload") or q.startswith("sys.modules."):
            _reloads(unit, node.lineno)
    first = node.args[0] if node.args else None
    if first is not None and "modules" in (getattr(first, "attr", None), getattr(first, "id", None)) and ctx.qualify(first) == "sys.modules":
        _reloads(unit, node.lineno)  # ``mock.patch.dict(sys.modules, ...)``, ``monkeypatch.delitem(sys.modules, ...)``
    qualified = first_party.get(root)
    if qualified is None or decorating or last == "cache_clear":
        return
    # only names SLK603 can follow: a requested fixture or a module-level container of the file
    args = [(str(i), a.id) for i, a in enumerate(node.args) if a.__class__ is ast.Name and a.id in shared]
    args += [(k.arg, k.value.id) for k in node.keywords if k.arg and k.value.__class__ is ast.Name and k.value.id in shared]
    # interned: the same callee is called many times, and pickle stores one object once
    target = sys.intern(".".join([qualified, *attrs]))
    if seen is not None and not args:
        if target in seen:
            return
        seen.add(target)
    unit.calls.append(Call(target, sys.intern(".".join([root, *attrs])), *_pos(ctx, node), tuple(args)))  # fmt: skip


def _names_exit(node: ast.expr) -> bool:
    names = node.elts if isinstance(node, ast.Tuple) else [node]
    return any((n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", "")) in _EXITS for n in names)


def _reloads(unit: Unit, line: int) -> None:
    unit.reloads = True
    unit.reload_at = min(unit.reload_at, line) if unit.reload_at else line


def _pos(ctx: FileContext, node: ast.AST) -> tuple[int, int, int, int]:
    span = ctx.span(node)
    return span.line, span.col, span.end_line, span.end_col
