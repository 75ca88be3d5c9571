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

from sessionlint.context import FileContext, FunctionNode, dotted_parts

_NOT_FIRST_PARTY = frozenset(sys.stdlib_module_names) | {"pytest", "_pytest", "mock", "pytest_mock"}
_ENV_WRITERS = frozenset({"os.environ.update", "os.environ.setdefault", "os.environ.pop", "os.environ.clear",
                          "os.putenv", "os.unsetenv"})  # fmt: skip


@dataclass
class Patch:
    kind: str  # "env" | "attr" | "cwd" | "clock"
    key: str  # env key or "*"; dotted target for "attr"
    line: int
    end: int  # the last line the patch is active on


@dataclass
class Call:
    target: str  # qualified dotted name (relative names keep their dots)
    text: str  # the callee as written
    line: int
    col: int
    end_line: int
    end_col: int
    args: tuple[tuple[str, str], ...] = ()  # (position or keyword, name passed)


@dataclass
class Import:
    modules: tuple[str, ...]  # candidate modules, most specific first
    line: int
    col: int
    end_line: int
    end_col: int
    text: str


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
    local: frozenset[str] = frozenset()  # names the function binds


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
    for fn in ctx.functions:
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
        _fill(ctx, fn.node, unit)
        if unit.patches or unit.calls or unit.clears or unit.imports:
            result.units.append(unit)
    return result


def _unittest_classes(tree: ast.Module) -> set[str]:
    """Qualified names of the classes of the file that derive from a ``*TestCase`` class
    (``unittest.TestCase``, ``django.test.TestCase``, a project's ``BaseTestCase``...)."""
    found: set[str] = set()

    def visit(body: list[ast.stmt], outer: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                name = f"{outer}.{stmt.name}" if outer else stmt.name
                for base in stmt.bases:
                    parts = dotted_parts(base)
                    last = (parts[1][-1] if parts[1] else parts[0]) if parts else ""
                    if last.endswith("TestCase") or last in found:
                        found.add(name)
                        break
                visit(stmt.body, name)

    visit(tree.body, None)
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


def _first_party(ctx: FileContext, node: ast.expr) -> str | None:
    found = dotted_parts(node)
    if found is None or found[0] not in ctx.aliases:
        return None
    q = ctx.qualify(node)
    if q is None or q.split(".")[0] in _NOT_FIRST_PARTY:
        return None
    return q


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


def _fill(ctx: FileContext, fn: FunctionNode, unit: Unit) -> None:
    extents: dict[int, tuple[int, int]] = {}
    end = fn.end_lineno or fn.lineno
    for dec in fn.decorator_list:
        if isinstance(dec, ast.Call):
            extents[id(dec)] = (fn.lineno, end)
    clears: set[str] = set()
    local: set[str] = set(fn.args.args and [a.arg for a in fn.args.args] or ())
    # decorators run once, when the module is imported: their calls are not the test's
    # (django's ``@setup(templates)`` fills a module dict at collection)
    decorating = {id(n) for dec in fn.decorator_list for n in ast.walk(dec)}
    # one walk: ast.walk is breadth-first, so a ``with`` statement is met before the calls of its
    # items, and their extent is known when they are
    for node in ast.walk(fn):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.context_expr, ast.Call):
                    extents[id(item.context_expr)] = (node.lineno, node.end_lineno or node.lineno)
        elif isinstance(node, ast.Call):
            line, stop = extents.get(id(node), (node.lineno, end))
            unit.patches += _patches(ctx, node, line, stop)
            q = ctx.qualify(node.func) or ""
            if q in ("importlib.reload", "imp.reload") or (q.startswith("sys.modules.") or _sys_modules_edit(ctx, node)):
                unit.reloads = True
            if q == "importlib.import_module" and _str(node.args[0] if node.args else None):
                name = _str(node.args[0])
                assert name is not None
                unit.imports.append(Import((name,), *_pos(ctx, node), name))
            target = _first_party(ctx, node.func) if isinstance(node.func, (ast.Name, ast.Attribute)) else None
            if target is not None and not target.endswith(".cache_clear") and id(node) not in decorating:
                args = [(str(i), a.id) for i, a in enumerate(node.args) if isinstance(a, ast.Name)]
                args += [(k.arg, k.value.id) for k in node.keywords if k.arg and isinstance(k.value, ast.Name)]
                text = _dotted_text(node.func)
                unit.calls.append(Call(target, text, *_pos(ctx, node), tuple(args)))
        elif isinstance(node, ast.Attribute) and node.attr == "cache_clear":
            q = ctx.qualify(node.value)
            clears.add(q if q and dotted_parts(node.value) and dotted_parts(node.value)[0] in ctx.aliases else "*")  # type: ignore[index]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
            if ctx.qualify(node.value) == "sys.modules":
                unit.reloads = True
            elif ctx.qualify(node.value) == "os.environ":
                key = node.slice
                unit.patches.append(Patch("env", _str(key) or "*", node.lineno, end))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                unit.imports.append(Import((alias.name,), *_pos(ctx, node), f"import {alias.name}"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                unit.imports.append(
                    Import((f"{node.module}.{alias.name}", node.module), *_pos(ctx, node), f"from {node.module} import {alias.name}")
                )
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    # a fixture's patches before yield hold for the whole test it serves
    unit.clears = frozenset(clears)
    unit.local = frozenset(local)


def _dotted_text(node: ast.expr) -> str:
    """``pkg.mod.func`` as written: what ``ast.unparse`` gives for a dotted name, without its cost
    (``_first_party`` admits only dotted names)."""
    found = dotted_parts(node)
    return ".".join([found[0], *found[1]]) if found is not None else ast.unparse(node)


def _sys_modules_edit(ctx: FileContext, call: ast.Call) -> bool:
    return any(ctx.qualify(a) == "sys.modules" for a in call.args[:1])


def _pos(ctx: FileContext, node: ast.AST) -> tuple[int, int, int, int]:
    span = ctx.span(node)
    return span.line, span.col, span.end_line, span.end_col
