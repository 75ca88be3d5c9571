"""The checks of the resources family (its rules and docs are in ``__init__.py``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from sessionlint import resource_table
from sessionlint.context import FileContext, Function, FunctionNode
from sessionlint.model import Fix, FixOp
from sessionlint.resource_table import PATCH_FACTORIES, PATCHER, STARTED_PATCH, Resource
from sessionlint.syntax import fixture_label, iter_nodes, own_nodes, unwrap_await

# finding resources ---------------------------------------------------------------------------
@dataclass
class _Acquired:
    resource: Resource
    call: ast.Call  # reported
    label: str  # "sqlite3.connect()"
    handle: str | None = None  # for a patcher: the name bound to mock.patch(...)


def _shadowed(fn: FunctionNode, name: str) -> bool:
    args = fn.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    return name in params


def acquired(
    ctx: FileContext, fn: FunctionNode, expr: ast.AST | None, bindings: dict[str, list[ast.AST]]
) -> _Acquired | None:
    """The resource ``expr`` acquires, if it is a call from the table (or a patch being started)."""
    call = unwrap_await(expr)
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "start" and not call.args and not call.keywords:
        receiver = func.value
        if isinstance(receiver, ast.Call) and (ctx.qualify(receiver.func) or "") in PATCH_FACTORIES:
            return _Acquired(STARTED_PATCH, call, f"{ctx.qualify(receiver.func)}(...).start()")
        if isinstance(receiver, ast.Name):
            bound = bindings.get(receiver.id, [])
            if len(bound) == 1 and isinstance(bound[0], ast.Call):
                factory = ctx.qualify(bound[0].func) or ""
                if factory in PATCH_FACTORIES:
                    return _Acquired(PATCHER, call, f"{receiver.id}.start()", handle=receiver.id)
        return None
    name = ctx.qualify(func)
    if not name:
        return None
    if isinstance(func, ast.Name) and (_shadowed(fn, func.id) or func.id in bindings or (
        func.id in ctx.module_functions or func.id in ctx.module_globals
    )):
        return None
    resource = resource_table.lookup(name, getattr(ctx.settings, "extra_resources", ()))
    if resource is None:
        return None
    return _Acquired(resource, call, f"{name}()")


@dataclass
class _Body:
    """One pass over a fixture's own body: parents, bindings, the first yield."""

    fn: FunctionNode
    nodes: list[ast.AST]
    parent: dict[ast.AST, ast.AST] = field(default_factory=dict)
    bindings: dict[str, list[ast.AST]] = field(default_factory=dict)  # name -> values assigned (None: unknown)
    stores: dict[str, int] = field(default_factory=dict)
    nested: set[str] = field(default_factory=set)  # names used inside nested functions, lambdas, classes
    declared: set[str] = field(default_factory=set)  # global / nonlocal
    first_yield: ast.AST | None = None
    yield_from: bool = False
    attr_refs: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, fn: FunctionNode) -> "_Body":
        body = cls(fn, list(own_nodes(fn)))
        nested_types = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        for stmt in fn.body:
            body.parent[stmt] = fn
        for node in body.nodes:
            if isinstance(node, nested_types):
                for inner in iter_nodes(node):
                    if isinstance(inner, ast.Name):
                        body.nested.add(inner.id)
                    elif isinstance(inner, ast.Attribute):
                        body.attr_refs.add(inner.attr)
                continue
            for child in ast.iter_child_nodes(node):
                body.parent[child] = node
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                body.stores[node.id] = body.stores.get(node.id, 0) + 1
            elif isinstance(node, ast.Attribute):
                body.attr_refs.add(node.attr)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                body.declared.update(node.names)
            elif isinstance(node, ast.YieldFrom):
                body.yield_from = True
                if body.first_yield is None:
                    body.first_yield = node
            elif isinstance(node, ast.Yield) and body.first_yield is None:
                body.first_yield = node
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        body.bindings.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                body.bindings.setdefault(node.optional_vars.id, []).append(node.context_expr)
        return body

    def after_yield(self, node: ast.AST) -> bool:
        y = self.first_yield
        if y is None:
            return False
        return (node.lineno, node.col_offset) > (y.lineno, y.col_offset)  # type: ignore[attr-defined]

    def before_yield(self, node: ast.AST) -> bool:
        y = self.first_yield
        if y is None:
            return True
        return (node.lineno, node.col_offset) < (y.lineno, y.col_offset)  # type: ignore[attr-defined]

    def single(self, name: str) -> bool:
        """Bound exactly once, only in this function's own body."""
        return self.stores.get(name, 0) == 1 and name not in self.nested and name not in self.declared


def _aliases(body: _Body, name: str) -> set[str]:
    names = {name}
    changed = True
    while changed:
        changed = False
        for alias, values in body.bindings.items():
            if alias in names or not body.single(alias):
                continue
            if any(isinstance(v, ast.Name) and v.id in names for v in values):
                names.add(alias)
                changed = True
    return names


def _callee(ctx: FileContext, call: ast.Call) -> str:
    return ctx.qualify(call.func) or (call.func.attr if isinstance(call.func, ast.Attribute) else "")


def _non_owning(ctx: FileContext, call: ast.Call) -> bool:
    name = _callee(ctx, call)
    if name in resource_table.NON_OWNING_CALLS or name.startswith(resource_table.NON_OWNING_PREFIXES):
        return True
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value
        ident = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", "")
        if ident in resource_table.NON_OWNING_RECEIVERS:
            return True
    return False


def _discarded(body: _Body, call: ast.Call) -> bool:
    """The call's result is thrown away: ``helper(conn)`` as a statement."""
    up = body.parent.get(call)
    if isinstance(up, ast.Await):
        up = body.parent.get(up)
    return isinstance(up, ast.Expr)


@dataclass
class _Use:
    released: bool = False
    escaped: bool = False


def _uses(ctx: FileContext, body: _Body, names: set[str], resource: Resource, binding: ast.AST | None) -> _Use:
    """How the names holding a resource are used: released, handed over, or neither."""
    use = _Use()
    if any(name in body.nested or name in body.declared for name in names):
        use.escaped = True
        return use
    for node in body.nodes:
        if not (isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load)):
            continue
        if binding is not None and _inside(body, node, binding):
            continue
        expr: ast.AST = node
        up = body.parent.get(expr)
        method_call = False
        while isinstance(up, (ast.Attribute, ast.Subscript)) and up.value is expr:
            grand = body.parent.get(up)
            if isinstance(up, ast.Attribute) and isinstance(grand, ast.Call) and grand.func is up:
                method_call = True
                if expr is node and up.attr in resource.release:
                    use.released = True
                break
            expr, up = up, grand
        if method_call:
            continue
        if expr is not node and _written(up, expr):
            continue  # ``conn.row_factory = ...``, ``session.headers["k"] = ...``: changes the resource itself
        if isinstance(up, ast.keyword):
            up = body.parent.get(up)
        if isinstance(up, ast.Call) and up.func is not expr:
            callee = _callee(ctx, up)
            if callee in resource.release_functions and expr is node:
                use.released = True
            elif _non_owning(ctx, up):
                pass
            elif callee.rsplit(".", 1)[-1] in resource_table.OWNER_FUNCTIONS or body.after_yield(up):
                use.escaped = True
            elif not resource.path and not _discarded(body, up):
                use.escaped = True
        elif isinstance(up, ast.withitem) and up.context_expr is expr:
            if expr is node and resource.with_closes:
                use.released = True
        elif isinstance(up, (ast.Yield, ast.Return, ast.Expr, ast.Await, ast.Compare, ast.BoolOp, ast.UnaryOp,
                             ast.If, ast.While, ast.Assert, ast.FormattedValue, ast.IfExp, ast.Delete, ast.BinOp)):
            pass  # read, tested, printed, handed out, or combined into a new value (``path + "/x"``)
        elif isinstance(up, (ast.For, ast.AsyncFor, ast.comprehension)) and up.iter is expr:
            pass  # ``for line in f``
        elif isinstance(up, (ast.Tuple, ast.List)) and isinstance(body.parent.get(up), (ast.Yield, ast.Return)):
            pass
        elif isinstance(up, ast.Assign) and up.value is expr and all(isinstance(t, ast.Name) for t in up.targets):
            # a value read from it (``pid = proc.pid``), or an alias that ``_aliases`` follows
            if expr is node and not all(t.id in names for t in up.targets):  # type: ignore[attr-defined]
                use.escaped = True
        elif isinstance(up, ast.Call) and up.func is expr:
            pass  # calling it
        else:
            use.escaped = True
    return use


def _written(stmt: ast.AST | None, target: ast.AST) -> bool:
    if isinstance(stmt, ast.Assign):
        return any(t is target for t in stmt.targets)
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return stmt.target is target
    if isinstance(stmt, ast.Delete):
        return any(t is target for t in stmt.targets)
    return False


def _inside(body: _Body, node: ast.AST, ancestor: ast.AST) -> bool:
    current: ast.AST | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = body.parent.get(current)
    return False


def _statement(body: _Body, node: ast.AST) -> ast.AST | None:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = body.parent.get(current)
    return current


def _stopall(body: _Body) -> bool:
    return "stopall" in body.attr_refs


# per file ------------------------------------------------------------------------------------
def check_file(ctx: FileContext) -> None:
    words = resource_table.trigger_words(getattr(ctx.settings, "extra_resources", ()))
    for fn in ctx.fixtures():
        fixture = fn.fixture
        assert fixture is not None
        source = "\n".join(ctx.lines[fn.node.lineno - 1 : fn.node.end_lineno])
        if not any(word in source for word in words):
            continue  # nothing from the table is even named: skip the walk
        body = _Body.of(fn.node)
        if body.yield_from:
            continue
        if fixture.is_yield:
            _missing_teardown(ctx, fn, body)
        else:
            _returned(ctx, fn, body)


def _missing_teardown(ctx: FileContext, fn: Function, body: _Body) -> None:
    seen: set[int] = set()
    for node in body.nodes:
        if not isinstance(node, ast.Call) or id(node) in seen or not body.before_yield(node):
            continue
        found = acquired(ctx, fn.node, node, body.bindings)
        if found is None:
            continue
        seen.add(id(node))
        stmt = _statement(body, node)
        if found.resource is STARTED_PATCH:
            if not _stopall(body):
                ctx.report(
                    "SLK103",
                    node,
                    f"{fixture_label(fn)} starts a patch ({found.label}) that nothing stops, so it stays active for "
                    f"every later test",
                    fix_title="keep the patcher and call its stop() after yield, or use monkeypatch",
                    **ctx.owner_fields(fn),
                )
            continue
        if found.handle is not None:  # patcher.start()
            name, binding = found.handle, None
            if not body.single(name) or _stopall(body):
                continue
        else:
            name = _bound_name(body, node)
            if name is None or not body.single(name):
                continue
            binding = stmt
        use = _uses(ctx, body, _aliases(body, name), found.resource, binding)
        if use.released or use.escaped:
            continue
        release = found.resource.release_text(name)
        fix = _append_fix(ctx, fn, body, found, name, stmt)
        ctx.report(
            "SLK103",
            node,
            f"{fixture_label(fn)} acquires {found.resource.what} ({found.label}) as '{name}' and nothing after yield "
            f"releases it",
            fix,
            fix_title=f"add {release} after yield, or acquire it in a with block",
            **ctx.owner_fields(fn),
        )


def _bound_name(body: _Body, call: ast.Call) -> str | None:
    """The local a resource call is assigned to: ``conn = sqlite3.connect(...)``."""
    up = body.parent.get(call)
    if isinstance(up, ast.Await):
        inner, up = up, body.parent.get(up)
    else:
        inner = call
    if isinstance(up, ast.Assign) and up.value is inner and len(up.targets) == 1:
        target = up.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    if isinstance(up, ast.AnnAssign) and up.value is inner and isinstance(up.target, ast.Name):
        return up.target.id
    return None


def _append_fix(
    ctx: FileContext, fn: Function, body: _Body, found: _Acquired, name: str, stmt: ast.AST | None
) -> Fix | None:
    resource = found.resource
    if not resource.fix or stmt not in fn.node.body:
        return None
    if found.handle is not None:
        binding = next((s for s in fn.node.body if isinstance(s, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in s.targets)), None)
        if binding is None:
            return None
    if resource.fix_is_async and not isinstance(fn.node, ast.AsyncFunctionDef):
        return None
    if isinstance(fn.node.body[-1], (ast.Return, ast.Raise)):
        return None
    code = "\n".join(s.format(name=name) for s in resource.fix)
    args = (("func", fn.qualname), ("code", code), ("imports", ",".join(resource.imports)))
    op = FixOp(ctx.path, "append-release", args)
    return Fix("safe", f"Release '{name}' after yield", (op,))


def _returned(ctx: FileContext, fn: Function, body: _Body) -> None:
    returns = [n for n in body.nodes if isinstance(n, ast.Return) and n.value is not None]
    for ret in returns:
        value = ret.value
        assert value is not None
        name: str | None = None  # the local that holds the resource
        found = acquired(ctx, fn.node, value, body.bindings)
        if found is None and isinstance(value, ast.Name) and body.single(value.id):
            bound = body.bindings.get(value.id, [])
            found = acquired(ctx, fn.node, bound[0], body.bindings) if len(bound) == 1 else None
            name = value.id
        if found is None:
            continue
        if found.resource is STARTED_PATCH or found.handle is not None:
            if _stopall(body):
                continue
        holder = found.handle or (name if found.resource is not STARTED_PATCH else None)
        if holder is not None:
            if not body.single(holder):
                continue
            binding = _statement(body, found.call) if holder == name else None
            use = _uses(ctx, body, _aliases(body, holder), found.resource, binding)
            if use.released or use.escaped:
                continue
        if found.resource is STARTED_PATCH:
            fix = None
            advice = "keep the patcher, yield its start() and call its stop() after yield, or use monkeypatch"
        else:
            fix = _yield_fix(ctx, fn, found, ret, returns, holder)
            release = found.resource.release_text(holder or found.resource.var)
            advice = f"yield it instead and release it after yield ({release})"
        held = f" held in '{name}'" if name else ""
        ctx.report(
            "SLK104",
            value,
            f"{fixture_label(fn)} returns {found.resource.what} ({found.label}){held}, so no teardown can release it",
            fix,
            fix_title=advice,
            **ctx.owner_fields(fn),
        )


def _yield_fix(ctx: FileContext, fn: Function, found: _Acquired, ret: ast.Return, returns: list[ast.Return],
               holder: str | None) -> Fix | None:
    resource = found.resource
    if not resource.fix or len(returns) != 1 or fn.node.body[-1] is not ret:
        return None
    if resource.fix_is_async and not isinstance(fn.node, ast.AsyncFunctionDef):
        return None
    bind = ""
    target = holder
    if target is None:
        used = {n.id for n in iter_nodes(fn.node) if isinstance(n, ast.Name)} | {
            a.arg for a in iter_nodes(fn.node) if isinstance(a, ast.arg)
        } | {fn.node.name}
        target = resource.var
        number = 2
        while target in used:
            target = f"{resource.var}{number}"
            number += 1
        bind = "1"
    code = "\n".join(s.format(name=target) for s in resource.fix)
    op = FixOp(ctx.path, "yield-resource", (
        ("func", fn.qualname), ("name", target), ("bind", bind), ("code", code),
        ("imports", ",".join(resource.imports)),
    ))  # fmt: skip
    return Fix("safe", "Yield the resource and release it after yield", (op,))
