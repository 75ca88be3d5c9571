"""Where module- and class-level containers live, and which tests and fixtures write them.

Per file: the module-level names bound to a mutable container (what an importer
can reach), the mutable class attributes of test classes, and every write a
test or fixture makes to one of those, directly or through a local alias. A
write to a name imported from another module (``from app.registry import
HANDLERS``) is kept as pending: the project step looks the name up in that
module's containers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from sessionlint import values
from sessionlint.context import FileContext, Function, FunctionNode
from sessionlint.mutations import CONTAINER_METHODS, Walker, alias_key, chain_links
from sessionlint.syntax import class_nodes, iter_nodes, own_nodes, statements

# calls that patch a container for the duration of a test and put it back
_PATCHERS = frozenset({"setitem", "delitem", "setattr", "delattr"})
# calls that register a teardown: a container named in their arguments is restored
_CLEANUPS = frozenset({"addCleanup", "addfinalizer", "callback", "enterContext", "addClassCleanup"})
_TEARDOWNS = frozenset(
    {"teardown_method", "tearDown", "teardown_class", "tearDownClass", "teardown", "teardown_function",
     "teardown_module", "tearDownModule", "setup_method", "setUp", "setup_function", "setup_class", "setUpClass"}
)  # fmt: skip


def module_containers(ctx: FileContext) -> dict[str, str]:
    """Module-level names bound to a mutable container: name -> description."""
    found: dict[str, str] = {}
    for name, expr in ctx.module_globals.items():
        desc = values.mutable_expr(ctx, expr)
        if desc is not None and name not in ("pytestmark", "pytest_plugins", "__all__", "collect_ignore"):
            found[name] = desc
    for stmt in ctx.tree.body:  # ``X: dict[str, int] = build()``
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id not in found:
            desc = values.annotation_kind(ctx, stmt.annotation)
            if desc is not None and stmt.value is not None:
                found[stmt.target.id] = desc
    return found


@dataclass
class ClassState:
    attrs: dict[str, str] = field(default_factory=dict)  # attribute -> description
    node: ast.ClassDef | None = None


def class_containers(ctx: FileContext) -> dict[str, dict[str, str]]:
    """Test classes' mutable class attributes, inherited ones included: class qualname -> attr -> description."""
    classes = class_nodes(ctx.tree)
    own: dict[str, dict[str, str]] = {}
    for name, node in classes.items():
        attrs: dict[str, str] = {}
        for stmt in node.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
            value = getattr(stmt, "value", None)
            if value is None:
                continue
            desc = values.mutable_expr(ctx, value)
            for target in targets:
                if desc is not None and isinstance(target, ast.Name) and target.id != "pytestmark":
                    attrs[target.id] = desc
        own[name] = attrs

    found: dict[str, dict[str, str]] = {}
    for name in classes:
        attrs = _inherited(name, classes, own, frozenset({name}))
        if attrs:
            rebound = _instance_bound(classes[name], classes)
            attrs = {a: d for a, d in attrs.items() if a not in rebound}
        if attrs:
            found[name] = attrs
    return found


def _inherited(
    name: str, classes: dict[str, ast.ClassDef], own: dict[str, dict[str, str]], seen: frozenset[str]
) -> dict[str, str]:
    """``own[name]`` over what the class's bases in the file define (a module-level function: a
    recursive closure is a reference cycle that would keep the file's class trees alive)."""
    result: dict[str, str] = {}
    for base in classes[name].bases:
        base_name = base.id if isinstance(base, ast.Name) else None
        if base_name in classes and base_name not in seen:
            result.update(_inherited(base_name, classes, own, seen | {base_name}))
    result.update(own[name])
    return result


def _instance_bound(node: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> set[str]:
    """Attributes some method rebinds (``self.x = ...``, ``cls.x = ...``): per instance, or reset, not shared."""
    bound: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        # an attribute is stored only by a statement's target: statements are walked, not expressions
        for sub in _stored(current.body):
            if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in ("self", "cls"):
                bound.add(sub.attr)
        for base in current.bases:
            if isinstance(base, ast.Name) and base.id in classes and classes[base.id] is not current:
                todo.append(classes[base.id])
    return bound


def _stored(body: list[ast.stmt]) -> Iterator[ast.expr]:
    """The targets that the statements of ``body`` (nested bodies included) store to, tuples unpacked."""
    for stmt in statements(body):
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            targets = [stmt.target]
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
        else:
            continue
        while targets:
            target = targets.pop()
            if isinstance(target, (ast.Tuple, ast.List)):
                targets += target.elts
            elif isinstance(target, ast.Starred):
                targets.append(target.value)
            else:
                yield target


@dataclass
class Write:
    value: str  # the tracked key: module name "X", "Class.attr", or "mod.X" for an imported module's attribute
    node: ast.AST  # where the write is
    what: str
    stmt: ast.stmt | None  # the statement it sits in (None inside closures)
    via: str  # the local name the write went through ("" when direct)
    via_stmt: ast.stmt | None  # ``via = X``: where the alias was made (own body only)
    in_finally: bool
    after_yield: bool


class StateWalker(Walker):
    """The mutation walker, recording where each write sits and which alias it went through."""

    def __init__(self, ctx: FileContext, names: set[str], yield_line: int | None, extra: dict[str, str]) -> None:
        super().__init__(ctx, names, yield_line, extra)
        self.writes: list[Write] = []
        self.patched: set[str] = set()
        self.alias_stmts: dict[str, ast.stmt] = {}
        self.nested = False

    def _inner(self, args, local):  # type: ignore[override]
        inner = super()._inner(args, local)
        if inner is not None:
            inner.nested = True
        return inner

    def _aliased(self, name: str, source: str) -> None:
        if not self.nested:
            self.alias_stmts[name] = self.current  # type: ignore[assignment]

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.alias_stmts.pop(target.id, None)
        super()._assign(target, value)

    def _call(self, call: ast.Call, used: bool) -> None:
        func = call.func
        name = self.ctx.qualify(func) or ""
        if call.args and (
            name.endswith("patch.dict")
            or (isinstance(func, ast.Attribute) and func.attr in _PATCHERS and _is_patcher(func.value))
        ):
            tracked = self._tracked(call.args[0])
            if tracked is not None:
                self.patched.add(tracked)
            return
        if isinstance(func, ast.Attribute) and func.attr in _CLEANUPS:
            for arg in (*call.args, *(k.value for k in call.keywords)):
                tracked = self._tracked(arg)
                if tracked is not None:
                    self.patched.add(tracked)
        super()._call(call, used)

    def _emit(self, name: str, node: ast.AST, what: str, ambiguous: bool = False) -> None:
        via = _via(node)
        direct = via is None or self.alias.get(via) != name or via == name or "." in via
        after = self.yield_line is not None and getattr(node, "lineno", 0) > self.yield_line
        self.writes.append(
            Write(
                name, node, what, None if self.nested else self.current,
                "" if direct else via or "", None if direct or via is None else self.alias_stmts.get(via),
                self.finally_depth > 0, after,
            )
        )  # fmt: skip


def _is_patcher(node: ast.expr) -> bool:
    """``monkeypatch.setitem``, ``mp.setitem``, ``self.monkeypatch.setitem``: a receiver named like a MonkeyPatch."""
    found = alias_key(node) or ""
    last = found.rsplit(".", 1)[-1]
    return last in ("monkeypatch", "mp", "mpatch", "patcher") or "monkeypatch" in last


def _via(node: ast.AST) -> str | None:
    """The alias key at the base of the written expression."""
    if isinstance(node, ast.Call):
        func = node.func
        base = func.value if isinstance(func, ast.Attribute) else node.args[0] if node.args else None
    elif isinstance(node, ast.AugAssign):
        base = node.target.value if isinstance(node.target, (ast.Subscript, ast.Attribute)) else node.target
    elif isinstance(node, (ast.Subscript, ast.Attribute)):
        base = node.value
    else:
        return None
    if base is None:
        return None
    last = None
    for link in chain_links(base):
        last = link
    return last.id if isinstance(last, ast.Name) else None


def local_names(fn: FunctionNode) -> set[str]:
    """Names local to ``fn``: parameters and names it binds, less those declared ``global``."""
    args = fn.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    declared: set[str] = set()
    for node in own_nodes(fn):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names - declared


def module_attribute_keys(ctx: FileContext, fn: FunctionNode, local: set[str]) -> dict[str, str]:
    """``reg.HANDLERS`` in ``fn`` where ``reg`` is an imported module: key -> qualified ``app.registry.HANDLERS``."""
    found: dict[str, str] = {}
    for node in iter_nodes(fn):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ctx.aliases
            and node.value.id not in local
        ):
            found[f"{node.value.id}.{node.attr}"] = f"{ctx.aliases[node.value.id]}.{node.attr}"
    return found


_SETUPS = frozenset({"setup_method", "setUp", "setup_function", "setup_class", "setUpClass", "setup_module", "setUpModule", "setup"})


def restored_in_teardowns(ctx: FileContext, cls_node: ast.ClassDef | None) -> set[str]:
    """Names and ``self.x`` keys that the module's or class's teardown functions touch, or its setup
    functions write (a setup that clears a container resets it for every test)."""
    found: set[str] = set()
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for body in (ctx.tree.body, cls_node.body if cls_node is not None else []):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in _TEARDOWNS:
                functions.append(stmt)
    for fn in functions:
        if fn.name in _SETUPS:
            found |= written_keys(fn)
        else:
            for node in iter_nodes(fn):
                key = alias_key(node)
                if key is not None:
                    found.add(key)
    return found


def written_keys(fn: ast.AST) -> set[str]:
    """Names and ``self.x`` keys a function writes in place, rebinds as globals, or deletes."""
    found: set[str] = set()

    def base(node: ast.AST) -> None:
        for link in chain_links(node):
            key = alias_key(link)
            if key is not None:
                found.add(key)

    for node in iter_nodes(fn):
        if isinstance(node, ast.Global):
            found.update(node.names)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            base(node.value)
            if isinstance(node, ast.Attribute):
                base(node)
        elif isinstance(node, ast.AugAssign):
            base(node.target)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CONTAINER_METHODS:
            base(node.func.value)
    return found


def autouse_touched(ctx: FileContext, functions: list[Function]) -> set[str]:
    """Names and keys that an autouse fixture of the file writes: reset (or restored) for every test."""
    found: set[str] = set()
    for fn in functions:
        if fn.fixture is not None and fn.fixture.autouse:
            found |= written_keys(fn.node)
    return found
