"""Databases: SLK401 shared-db-session, SLK402 transaction-not-rolled-back, SLK403 schema-not-dropped.

All three are per-file and look at one fixture at a time. What counts as a
connection, a session or an engine is in ``resource_table``. The rules stay
silent on what they cannot see: an engine or URL that comes from another
fixture, a transaction object handed to a helper, a teardown that rolls back
anything at all.
"""

from __future__ import annotations

from sessionlint.rules.base import Example, Rule

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

from sessionlint.rules.database.check import check_file  # noqa: E402 - the checks import RULES' constants

__all__ = ["RULES", "check_file"]
