"""Databases: SLK401 shared-db-session, SLK402 transaction-not-rolled-back, SLK403 schema-not-dropped.

All three are per-file and look at one fixture at a time. What counts as a
connection, a session or an engine is in ``resource_table``. The rules stay
silent on what they cannot see: an engine or URL that comes from another
fixture, a transaction object handed to a helper, a teardown that rolls back
anything at all.
"""

from __future__ import annotations

import ast
import re

from sessionlint import resource_table as rt
from sessionlint.context import FileContext, Function, FunctionNode
from sessionlint.model import BROAD_SCOPES, Fix, FixOp
from sessionlint.rules.base import Example, Rule
from sessionlint.syntax import fixture_label, own_nodes, position, short, unwrap_await
from sessionlint.values import handed_out

_PER_TEST = (
    "share the engine or database instead, and give each test its own connection and transaction, "
    "rolled back after yield"
)

RULES = [
    Rule(
        code="SLK401",
        name="shared-db-session",
        summary="a broad fixture hands out a database session or connection",
        fix="none",
        what="Flags a fixture of scope `class`, `module`, `package` or `session` that returns or yields a "
        "database session or connection: a SQLAlchemy `Session(...)`, `scoped_session(...)`, a session "
        "made by `sessionmaker(...)()` (or by a name bound to a `sessionmaker`), a connection from "
        "`engine.connect()` / `engine.begin()`, or a DB-API connection (`sqlite3`, `psycopg`, `psycopg2`, "
        "`pymysql`, `MySQLdb`, `mysql.connector`, `asyncpg`, `aiosqlite` `connect(...)`), directly or "
        "through a local or a `with ... as` name. A broad *engine* (`create_engine`) is not flagged: it is "
        "the recommended thing to share.",
        why="A session or connection carries state from test to test: rows one test wrote and committed, a "
        "transaction left open or failed (`PendingRollbackError`, `current transaction is aborted`), objects "
        "cached in the session's identity map. The second test sees the first one's data, and the suite "
        "passes or fails depending on the order.",
        example="""
@pytest.fixture(scope="session")
def db_session(engine):
    session = Session(bind=engine)
    yield session
    session.close()
""",
        use_instead="""
@pytest.fixture
def db_session(engine):
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection)
    yield session
    session.close()
    transaction.rollback()
    connection.close()
""",
        fix_safety="No fix: moving to a connection and a rolled-back transaction per test changes how tests "
        "see each other's data, and only the suite's authors can say whether some test relies on it.",
        references=(
            "https://docs.sqlalchemy.org/en/20/orm/session_transaction.html"
            "#joining-a-session-into-an-external-transaction-such-as-for-test-suites",
        ),
        valid=(
            "import pytest\nfrom sqlalchemy import create_engine\n\n\n@pytest.fixture(scope=\"session\")\n"
            "def engine():\n    engine = create_engine(\"sqlite://\")\n    yield engine\n    engine.dispose()\n",
            "import sqlite3\n\nimport pytest\n\n\n@pytest.fixture\ndef conn():\n"
            '    conn = sqlite3.connect(":memory:")\n    yield conn\n    conn.close()\n',
        ),
        invalid=(
            Example(
                "import sqlite3\n\nimport pytest\n\n\n@pytest.fixture(scope=\"module\")\ndef conn():\n"
                '    conn = sqlite3.connect(":memory:")\n    yield conn\n    conn.close()\n',
                fixed=None,
            ),
            Example(
                "import pytest\nfrom sqlalchemy.orm import sessionmaker\n\n\n@pytest.fixture(scope=\"session\")\n"
                "def db_session(engine):\n    factory = sessionmaker(bind=engine)\n    session = factory()\n"
                "    yield session\n    session.close()\n",
                fixed=None,
            ),
        ),
    ),
    Rule(
        code="SLK402",
        name="transaction-not-rolled-back",
        summary="a fixture begins a transaction and its teardown commits it or leaves it open",
        fix="sometimes",
        what="Flags a yield fixture that begins a transaction before `yield` — `begin()` or `begin_nested()` "
        "on a connection or session, `execute(\"BEGIN\")` on a DB-API connection, or a "
        "`with conn.begin():` block around the `yield` — when nothing after `yield` rolls it back: the "
        "teardown commits it (explicitly, or by leaving the `with conn.begin():` block) or does nothing "
        "with it. `begin()` counts only on something that looks like a database connection or session: a "
        "local bound to one, or a name such as `conn`, `connection`, `session`, `db`, `engine`. Any "
        "`rollback()` after `yield`, closing the connection or transaction without committing, or handing "
        "the transaction to a helper after `yield` keeps the rule quiet. Only yield fixtures are checked.",
        why="The transaction is what keeps one test's writes away from the next test. Committed, the rows "
        "stay in the database for every later test; left open on a shared connection, the next test's "
        "`begin()` fails or silently joins the old transaction and sees its rows.",
        example="""
@pytest.fixture
def db(conn):
    conn.execute("BEGIN")
    yield conn
    conn.commit()
""",
        use_instead="""
@pytest.fixture
def db(conn):
    conn.execute("BEGIN")
    yield conn
    conn.rollback()
""",
        fix_safety="Safe: the fix rolls the transaction back in the teardown. When the teardown commits that "
        "same transaction or connection (`txn.commit()`, `conn.commit()`), that commit becomes the rollback, in "
        "place: committing a rolled-back SQLAlchemy `Transaction` would raise, and teardown statements before it "
        "still run inside the transaction and are undone with the test's writes. Otherwise "
        "`<transaction>.rollback()` is inserted as the first statement after `yield`, and a later commit of "
        "something else then commits nothing of the test's. The rollback is awaited in `async def` fixtures "
        "whose transaction was begun with `await` or `async with`. Offered when the `yield` is a statement of "
        "its own and the transaction has a name to roll back (a cursor's `execute(\"BEGIN\")` is rolled back "
        "through the connection it came from).",
        references=(
            "https://docs.sqlalchemy.org/en/20/orm/session_transaction.html"
            "#joining-a-session-into-an-external-transaction-such-as-for-test-suites",
            "https://docs.python.org/3/library/sqlite3.html#sqlite3-controlling-transactions",
        ),
        valid=(
            "import pytest\n\n\n@pytest.fixture\ndef db_session(engine):\n    connection = engine.connect()\n"
            "    transaction = connection.begin()\n    yield connection\n    transaction.rollback()\n"
            "    connection.close()\n",
            "import pytest\n\n\n@pytest.fixture(scope=\"session\")\ndef engine(make_engine):\n"
            "    engine = make_engine()\n    with engine.begin() as conn:\n"
            '        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")\n    yield engine\n    engine.dispose()\n',
        ),
        invalid=(
            Example(
                "import pytest\n\n\n@pytest.fixture\ndef db(conn):\n"
                '    conn.execute("BEGIN")\n    yield conn\n    conn.commit()\n',
                fixed="import pytest\n\n\n@pytest.fixture\ndef db(conn):\n"
                '    conn.execute("BEGIN")\n    yield conn\n    conn.rollback()\n',
            ),
            Example(
                "import pytest\n\n\n@pytest.fixture\ndef db_session(connection):\n"
                "    transaction = connection.begin()\n    yield connection\n    transaction.commit()\n"
                "    connection.close()\n",
                fixed="import pytest\n\n\n@pytest.fixture\ndef db_session(connection):\n"
                "    transaction = connection.begin()\n    yield connection\n    transaction.rollback()\n"
                "    connection.close()\n",
            ),
            Example(
                "import pytest\n\n\n@pytest.fixture\ndef session(db_session):\n"
                "    nested = db_session.begin_nested()\n    yield db_session\n",
                fixed="import pytest\n\n\n@pytest.fixture\ndef session(db_session):\n"
                "    nested = db_session.begin_nested()\n    yield db_session\n    nested.rollback()\n",
            ),
        ),
    ),
    Rule(
        code="SLK403",
        name="schema-not-dropped",
        summary="a broad fixture creates tables in a lasting database and never drops them",
        fix="sometimes",
        what="Flags a fixture of scope `class`, `module`, `package` or `session` that runs "
        "`<metadata>.create_all(...)` (`Base.metadata.create_all(engine)`, `SQLModel.metadata.create_all`, "
        "`conn.run_sync(Base.metadata.create_all)`) against a database that outlives the test run, and "
        "never calls `drop_all`. The database outlives the run when the engine is created in the same "
        "fixture from a URL string that names a file or a server: not `sqlite://` or `:memory:`, and not "
        "built from `tmp_path_factory`/`tmp_path`. When the engine comes from another fixture, or its URL "
        "is computed, the rule stays silent. Deleting the database file after `yield` (`os.remove`, "
        "`unlink`, `drop_database`) also counts as dropping.",
        why="Tables and rows created in a database on disk or on a server are still there when the next run "
        "starts, or when another suite uses the same database: the next `create_all` skips existing tables, "
        "old rows make counts and unique constraints fail, and a changed model never reaches the schema. "
        "Results then depend on what ran before.",
        example="""
@pytest.fixture(scope="session")
def engine():
    engine = create_engine("sqlite:///test.db")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()
""",
        use_instead="""
@pytest.fixture(scope="session")
def engine():
    engine = create_engine("sqlite:///test.db")
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()
""",
        fix_safety="Safe: `<metadata>.drop_all(<engine>)` is inserted after `yield`, before "
        "`engine.dispose()` when the fixture has one, else as the last statement (for an async engine, "
        "`async with engine.begin() as conn: await conn.run_sync(<metadata>.drop_all)`). Offered only for "
        "yield fixtures whose `create_all` and engine are in the fixture's own body; it drops only the "
        "tables that metadata describes.",
        references=("https://docs.sqlalchemy.org/en/20/core/metadata.html#sqlalchemy.schema.MetaData.drop_all",),
        valid=(
            "import pytest\nfrom sqlalchemy import MetaData, create_engine\n\nmetadata = MetaData()\n\n\n"
            "@pytest.fixture(scope=\"session\")\ndef engine():\n    engine = create_engine(\"sqlite://\")\n"
            "    metadata.create_all(engine)\n    yield engine\n    engine.dispose()\n",
            "import pytest\nfrom sqlalchemy import MetaData, create_engine\n\nmetadata = MetaData()\n\n\n"
            "@pytest.fixture(scope=\"session\")\ndef engine(tmp_path_factory):\n"
            '    db = tmp_path_factory.mktemp("db") / "test.db"\n    engine = create_engine(f"sqlite:///{db}")\n'
            "    metadata.create_all(engine)\n    yield engine\n    engine.dispose()\n",
            "import pytest\nfrom sqlalchemy import MetaData, create_engine\n\nmetadata = MetaData()\n\n\n"
            "@pytest.fixture(scope=\"session\")\ndef engine():\n"
            '    engine = create_engine("postgresql://localhost/test")\n    metadata.create_all(engine)\n'
            "    yield engine\n    metadata.drop_all(engine)\n    engine.dispose()\n",
        ),
        invalid=(
            Example(
                "import pytest\nfrom sqlalchemy import MetaData, create_engine\n\nmetadata = MetaData()\n\n\n"
                "@pytest.fixture(scope=\"session\")\ndef engine():\n"
                '    engine = create_engine("sqlite:///test.db")\n    metadata.create_all(engine)\n'
                "    yield engine\n    engine.dispose()\n",
                fixed="import pytest\nfrom sqlalchemy import MetaData, create_engine\n\nmetadata = MetaData()\n\n\n"
                "@pytest.fixture(scope=\"session\")\ndef engine():\n"
                '    engine = create_engine("sqlite:///test.db")\n    metadata.create_all(engine)\n'
                "    yield engine\n    metadata.drop_all(engine)\n    engine.dispose()\n",
            ),
        ),
    ),
]

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
            for inner in ast.walk(arg):
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
