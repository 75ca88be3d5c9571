"""The checks of the database family (its rules and docs are in ``__init__.py``)."""

from __future__ import annotations

import ast
import re

from sessionlint import resource_table as rt
from sessionlint.context import FileContext, Function, FunctionNode
from sessionlint.model import BROAD_SCOPES, Fix, FixOp
from sessionlint.syntax import fixture_label, iter_nodes, own_nodes, position, short, unwrap_await
from sessionlint.rules.database import _PER_TEST  # defined in __init__ before it imports this module
from sessionlint.values import handed_out

# Names that say "database connection or session" (``begin()`` on anything else is ignored).
_DBISH = re.compile(
    r"(?i)(?:^|_)(?:conn|connection|connections|con|cnx|dbconn|session|sess|dbsession|db|database|engine|txn|"
    r"transaction)(?:_|$)|^(?:db|sa)?(?:conn|session|engine)\w*$"
)
_CURSORISH = re.compile(r"(?i)^(?:\w+_)?(?:cur|cursor|curs)$")
_BEGIN_SQL = re.compile(r"(?is)^\s*(?:BEGIN|START\s+TRANSACTION)\b")
_EXECUTE = frozenset({"execute", "exec_driver_sql", "executescript"})
_BEGIN_ATTRS = _EXECUTE | {"begin", "begin_nested"}
_MEMORY_URL = re.compile(r"(?i)^sqlite(?:\+\w+)?:///?$|:memory:|mode=memory")
# Fixtures whose value is never a path (they name a database on a server, per worker).
_NOT_PATHS = frozenset({"worker_id", "testrun_uid"})
_CLEANUP_CALLS = frozenset({"drop_database", "remove", "unlink", "rmtree", "drop_all"})


# shared helpers ------------------------------------------------------------------------------
def _bindings(nodes: list[ast.AST]) -> dict[str, list[tuple[ast.AST, ast.expr]]]:
    """name -> [(binding node, bound expression)] in source order: assignments and ``with ... as``."""
    found: dict[str, list[tuple[ast.AST, ast.expr]]] = {}
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append((node, node.value))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    found.setdefault(item.optional_vars.id, []).append((node, item.context_expr))
    return found


def _bound(bindings, name: str, before: ast.AST | None) -> ast.expr | None:
    """The expression ``name`` was last bound to before ``before`` (any binding when None)."""
    chosen = None
    for node, value in bindings.get(name, []):
        if before is None or position(node) < position(before):
            chosen = value
    return chosen


def _ident(expr: ast.AST) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return ""


def _is_engine(ctx: FileContext, fn: FunctionNode, bindings, expr: ast.AST, at: ast.AST, depth: int = 0) -> bool:
    expr = unwrap_await(expr)
    if isinstance(expr, ast.Call):
        return (ctx.qualify(expr.func) or "") in rt.ENGINE_CONSTRUCTORS
    if isinstance(expr, ast.Name):
        bound = _bound(bindings, expr.id, at)
        if bound is not None and depth < 3 and _is_engine(ctx, fn, bindings, bound, at, depth + 1):
            return True
        return "engine" in expr.id.lower()
    if isinstance(expr, ast.Attribute):
        return "engine" in expr.attr.lower()
    return False


def db_value(
    ctx: FileContext, fn: FunctionNode, bindings, expr: ast.AST | None, at: ast.AST, depth: int = 0
) -> str | None:
    """What database session or connection ``expr`` is, or None."""
    expr = unwrap_await(expr)
    if isinstance(expr, ast.Name):
        bound = _bound(bindings, expr.id, at)
        if bound is None or depth >= 3:
            return None
        return db_value(ctx, fn, bindings, bound, at, depth + 1)
    if not isinstance(expr, ast.Call):
        return None
    func = expr.func
    name = ctx.qualify(func) or ""
    if name in rt.DB_CONNECT:
        return rt.DB_CONNECT[name]
    if name in rt.DB_SESSIONS:
        return rt.DB_SESSIONS[name]
    if isinstance(func, ast.Call) and (ctx.qualify(func.func) or "") in rt.SESSION_MAKERS:
        return "a session from sessionmaker()"
    if isinstance(func, ast.Name):
        maker = _bound(bindings, func.id, at)
        if maker is None and func.id not in bindings:
            maker = ctx.module_globals.get(func.id)
        maker = unwrap_await(maker)
        if isinstance(maker, ast.Call) and (ctx.qualify(maker.func) or "") in rt.SESSION_MAKERS:
            return f"a session from {func.id}()"
    if isinstance(func, ast.Attribute) and func.attr in rt.ENGINE_CONNECTION_METHODS | {"raw_connection"}:
        if _is_engine(ctx, fn, bindings, func.value, at):
            return f"a connection from {ast.unparse(func)}()"
    return None


def _first_yield(fn: FunctionNode) -> tuple[ast.AST | None, bool]:
    first = None
    for node in own_nodes(fn):
        if isinstance(node, ast.YieldFrom):
            return node, True
        if isinstance(node, ast.Yield) and first is None:
            first = node
    return first, False


def _parents(fn: FunctionNode) -> dict[ast.AST, ast.AST]:
    parent: dict[ast.AST, ast.AST] = {stmt: fn for stmt in fn.body}
    for node in own_nodes(fn):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        for child in ast.iter_child_nodes(node):
            parent[child] = node
    return parent


def _yield_statement(fn: FunctionNode, parent, node: ast.AST) -> ast.stmt | None:
    """The statement holding the yield when it is a plain ``yield x`` / ``y = yield x`` statement."""
    up = parent.get(node)
    if isinstance(up, (ast.Expr, ast.Assign, ast.AnnAssign)) and up.value is node:
        return up
    return None


# per file ------------------------------------------------------------------------------------
def check_file(ctx: FileContext) -> None:
    for fn in ctx.fixtures():
        fixture = fn.fixture
        assert fixture is not None
        broad = fixture.scope in BROAD_SCOPES
        if not broad and not fixture.is_yield:
            continue
        nodes = list(own_nodes(fn.node))
        attrs = {n.attr for n in nodes if isinstance(n, ast.Attribute)}
        begins = fixture.is_yield and not attrs.isdisjoint(_BEGIN_ATTRS)
        if not broad and not begins:
            continue
        bindings = _bindings(nodes)
        if broad:
            _shared_session(ctx, fn, bindings)
            if "create_all" in attrs:
                _schema(ctx, fn, bindings)
        if begins:
            _transaction(ctx, fn, bindings)


# SLK401 ------------------------------------------------------------------------------------------
def _shared_session(ctx: FileContext, fn: Function, bindings) -> None:
    fixture = fn.fixture
    assert fixture is not None
    expr, is_yield = handed_out(fn.node)
    if expr is None:
        return
    desc = db_value(ctx, fn.node, bindings, expr, expr)
    if desc is None:
        return
    verb = "yields" if is_yield else "returns"
    ctx.report(
        "SLK401",
        expr,
        f"{fixture_label(fn)} {verb} {desc} that every test shares: one test's writes reach the next",
        fix_title=_PER_TEST,
        **ctx.owner_fields(fn),
    )


# SLK402 ------------------------------------------------------------------------------------------
def _dbish(ctx: FileContext, fn: FunctionNode, bindings, receiver: ast.AST, at: ast.AST) -> bool:
    """Looks like a database connection, session or engine: by what it is bound to, else by its name."""
    if db_value(ctx, fn, bindings, receiver, at) is not None or _is_engine(ctx, fn, bindings, receiver, at):
        return True
    return bool(_DBISH.search(_ident(receiver)))


def _begins(ctx: FileContext, fn: FunctionNode, bindings, parent, first_yield: ast.AST):
    """(call, receiver, with-node or None) for each transaction begun before the first yield."""
    for node in own_nodes(fn):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if position(node) > position(first_yield):
            continue
        attr, receiver = node.func.attr, node.func.value
        if attr == "begin_nested" or (attr == "begin" and _dbish(ctx, fn, bindings, receiver, node)):
            pass
        elif attr in _EXECUTE and node.args and isinstance(node.args[0], ast.Constant) and isinstance(
            node.args[0].value, str
        ) and _BEGIN_SQL.match(node.args[0].value) and (
            _dbish(ctx, fn, bindings, receiver, node) or _cursor_of(bindings, receiver, node) is not None
            or bool(_CURSORISH.search(_ident(receiver)))
        ):
            pass
        else:
            continue
        up = parent.get(node)
        if isinstance(up, ast.Await):
            up = parent.get(up)
        if isinstance(up, ast.withitem):
            block = parent.get(up)
            if block is not None and _contains(parent, first_yield, block):
                yield node, receiver, block, up
            continue  # a with block that ends before yield: a committed setup step
        yield node, receiver, None, up


def _cursor_of(bindings, receiver: ast.AST, at: ast.AST) -> ast.expr | None:
    """For a cursor bound to ``conn.cursor()``: the connection (``conn``)."""
    if isinstance(receiver, ast.Name):
        bound = unwrap_await(_bound(bindings, receiver.id, at))
        if isinstance(bound, ast.Call) and isinstance(bound.func, ast.Attribute) and bound.func.attr == "cursor":
            return bound.func.value
    return None


def _contains(parent, node: ast.AST, ancestor: ast.AST) -> bool:
    current = parent.get(node)
    while current is not None:
        if current is ancestor:
            return True
        current = parent.get(current)
    return False


def _transaction(ctx: FileContext, fn: Function, bindings) -> None:
    first_yield, delegated = _first_yield(fn.node)
    if first_yield is None or delegated:
        return
    parent = _parents(fn.node)
    after = [n for n in own_nodes(fn.node) if hasattr(n, "lineno") and position(n) > position(first_yield)]
    after_calls = [n for n in after if isinstance(n, ast.Call)]
    if any(isinstance(c.func, ast.Attribute) and c.func.attr == "rollback" for c in after_calls):
        return
    for call, receiver, block, up in _begins(ctx, fn.node, bindings, parent, first_yield):
        awaited = isinstance(parent.get(call), ast.Await) or isinstance(block, ast.AsyncWith)
        # what the rollback goes to: the transaction's name, else the connection/session
        if block is not None and isinstance(up, ast.withitem) and isinstance(up.optional_vars, ast.Name):
            target = up.optional_vars.id
        elif isinstance(call.func, ast.Attribute) and call.func.attr in _EXECUTE:
            owner = _cursor_of(bindings, receiver, call)  # a cursor: roll back its connection
            if owner is not None:
                target = ast.unparse(owner)
            elif _CURSORISH.search(_ident(receiver)) and not _dbish(ctx, fn.node, bindings, receiver, call):
                target = ""
            else:
                target = ast.unparse(receiver)
        elif isinstance(up, ast.Assign) and len(up.targets) == 1 and isinstance(up.targets[0], ast.Name):
            target = up.targets[0].id
        else:
            target = ast.unparse(receiver)
        holders = {target, ast.unparse(receiver)} - {""}
        if _handed_on(ctx, after_calls, holders, fn.node):
            continue
        closes = [
            c for c in after_calls
            if isinstance(c.func, ast.Attribute) and c.func.attr == "close" and ast.unparse(c.func.value) in holders
        ]  # fmt: skip
        first_close = min((position(c) for c in closes), default=None)
        # a commit after closing commits nothing: closing rolled the transaction back
        commits = [
            c for c in after_calls
            if isinstance(c.func, ast.Attribute) and c.func.attr == "commit"
            and (first_close is None or position(c) < first_close)
        ]  # fmt: skip
        if commits or block is not None and not closes:
            how = "and its teardown commits it" if commits else "and leaving the with block after yield commits it"
            effect = "so each test's writes stay for the next one"
        elif closes:
            continue  # closing without a commit rolls back
        else:
            how = "and nothing after yield rolls it back"
            effect = "so the next test finds it open"
        if target:
            rollback = f"{'await ' if awaited else ''}{target}.rollback()"
            fix = _rollback_fix(ctx, fn, parent, first_yield, target, rollback, after_calls, awaited)
        else:
            rollback, fix = "rollback() on its connection", None
        ctx.report(
            "SLK402",
            call,
            f"{fixture_label(fn)} begins a transaction ({short(call, 50)}) {how}, {effect}",
            fix,
            fix_title=f"roll it back first in the teardown ({rollback})",
            **ctx.owner_fields(fn),
        )


def _handed_on(ctx: FileContext, calls: list[ast.Call], holders: set[str], fn: FunctionNode) -> bool:
    """A teardown call that takes the transaction or connection as an argument (a cleanup helper)."""
    for call in calls:
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            for inner in iter_nodes(arg):
                if isinstance(inner, (ast.Name, ast.Attribute)) and ast.unparse(inner) in holders:
                    if (ctx.qualify(call.func) or "") not in ("print", "repr", "str"):
                        return True
    return False


def _rollback_fix(ctx: FileContext, fn: Function, parent, first_yield: ast.AST, target: str, rollback: str,
                  after_calls: list[ast.Call], awaited: bool) -> Fix | None:
    if _yield_statement(fn.node, parent, first_yield) is None:
        return None
    if awaited and not isinstance(fn.node, ast.AsyncFunctionDef):
        return None
    commit = f"{'await ' if awaited else ''}{target}.commit()"
    replace = ""
    for call in after_calls:
        up = parent.get(call)
        if isinstance(up, ast.Await):
            up = parent.get(up)
        if isinstance(up, ast.Expr) and ast.unparse(up) == commit:
            replace = commit
            break
    op = FixOp(ctx.path, "rollback-after-yield", (("func", fn.qualname), ("code", rollback), ("replace", replace)))
    return Fix("safe", f"Roll back the transaction after yield ({rollback})", (op,))


# SLK403 ------------------------------------------------------------------------------------------
def _metadata(ctx: FileContext, bindings, expr: ast.AST, at: ast.AST) -> bool:
    if "metadata" in _ident(expr).lower():
        return True
    if isinstance(expr, ast.Name):
        bound = _bound(bindings, expr.id, at)
        if bound is None and expr.id not in bindings:
            bound = ctx.module_globals.get(expr.id)
        return isinstance(bound, ast.Call) and (ctx.qualify(bound.func) or "").endswith("MetaData")
    return False


def _creates(ctx: FileContext, fn: FunctionNode, bindings, parent):
    """(report node, metadata expr, engine-ish expr) for each ``create_all`` in the fixture."""
    for node in own_nodes(fn):
        if isinstance(node, ast.Attribute) and node.attr == "create_all" and _metadata(ctx, bindings, node.value, node):
            up = parent.get(node)
            if isinstance(up, ast.Call) and up.func is node:
                target = up.args[0] if up.args else next((k.value for k in up.keywords if k.arg == "bind"), None)
                if target is not None:
                    yield up, node.value, target
            elif isinstance(up, ast.Call) and node in up.args and isinstance(up.func, ast.Attribute) and (
                up.func.attr == "run_sync"
            ):
                yield up, node.value, up.func.value


def _engine_of(ctx: FileContext, bindings, expr: ast.AST, at: ast.AST, depth: int = 0) -> tuple[str, ast.Call] | None:
    """The local engine name and its create_engine call behind ``expr`` (an engine or a connection)."""
    expr = unwrap_await(expr)
    if not isinstance(expr, ast.Name) or depth > 3:
        return None
    bound = unwrap_await(_bound(bindings, expr.id, at))
    if isinstance(bound, ast.Call):
        if (ctx.qualify(bound.func) or "") in rt.ENGINE_CONSTRUCTORS:
            return expr.id, bound
        func = bound.func
        if isinstance(func, ast.Attribute) and func.attr in rt.ENGINE_CONNECTION_METHODS:
            return _engine_of(ctx, bindings, func.value, at, depth + 1)
    return None


def _lasting_url(ctx: FileContext, fn: FunctionNode, bindings, call: ast.Call) -> str | None:
    """The URL of a database that outlives the run, as written, or None (memory, tmp path, unknown)."""
    url = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "url"), None)
    text = _url_text(ctx, fn, bindings, url, call, 0)
    if text is None or _MEMORY_URL.search(text) or "://" not in text:
        return None
    return text


def _url_text(
    ctx: FileContext, fn: FunctionNode, bindings, expr: ast.AST | None, at: ast.AST, depth: int
) -> str | None:
    if depth > 3 or expr is None:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):
        bound = _bound(bindings, expr.id, at)
        if bound is None and expr.id not in bindings:
            bound = ctx.module_globals.get(expr.id)
        return _url_text(ctx, fn, bindings, bound, at, depth + 1)
    if isinstance(expr, ast.JoinedStr):
        parts = []
        for value in expr.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            assert isinstance(value, ast.FormattedValue)
            inner = value.value
            if isinstance(inner, ast.Name) and inner.id in _NOT_PATHS:
                parts.append("{" + inner.id + "}")
                continue
            resolved = _url_text(ctx, fn, bindings, inner, at, depth + 1)
            if resolved is None:
                return None  # computed: maybe a tmp path, stay silent
            parts.append(resolved)
        return "".join(parts)
    return None


def _schema(ctx: FileContext, fn: Function, bindings) -> None:
    nodes = list(own_nodes(fn.node))
    if any(isinstance(n, ast.Attribute) and n.attr == "drop_all" for n in nodes):
        return
    first_yield, delegated = _first_yield(fn.node)
    if delegated:
        return
    if first_yield is not None:
        for node in nodes:
            if isinstance(node, ast.Call) and position(node) > position(first_yield):
                name = ctx.qualify(node.func) or ""
                if name.rsplit(".", 1)[-1] in _CLEANUP_CALLS:
                    return
    parent = _parents(fn.node)
    for call, meta, target in _creates(ctx, fn.node, bindings, parent):
        engine = _engine_of(ctx, bindings, target, call)
        if engine is None:
            continue
        engine_name, engine_call = engine
        url = _lasting_url(ctx, fn.node, bindings, engine_call)
        if url is None:
            continue
        meta_text = ast.unparse(meta)
        is_async = (ctx.qualify(engine_call.func) or "") in rt.ASYNC_ENGINE_CONSTRUCTORS
        fix = _drop_fix(ctx, fn, first_yield, meta_text, engine_name, is_async, nodes)
        ctx.report(
            "SLK403",
            call,
            f"{fixture_label(fn)} creates tables ({meta_text}.create_all) in a database that outlives the run ({url}) "
            f"and never drops them",
            fix,
            fix_title=f"call {meta_text}.drop_all({engine_name}) after yield",
            **ctx.owner_fields(fn),
        )


def _drop_fix(ctx: FileContext, fn: Function, first_yield: ast.AST | None, meta: str, engine: str, is_async: bool,
              nodes: list[ast.AST]) -> Fix | None:
    if first_yield is None or isinstance(fn.node.body[-1], (ast.Return, ast.Raise)):
        return None
    if is_async:
        if not isinstance(fn.node, ast.AsyncFunctionDef):
            return None
        used = {n.id for n in nodes if isinstance(n, ast.Name)}
        conn = next(c for c in ("conn", "connection", "drop_conn", "_conn") if c not in used)
        code = f"async with {engine}.begin() as {conn}:\n    await {conn}.run_sync({meta}.drop_all)"
        before = f"await {engine}.dispose()"
    else:
        code = f"{meta}.drop_all({engine})"
        before = f"{engine}.dispose()"
    op = FixOp(ctx.path, "drop-all-after-yield", (("func", fn.qualname), ("code", code), ("before", before)))
    return Fix("safe", f"Drop the tables after yield ({meta}.drop_all)", (op,))
