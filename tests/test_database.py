"""SLK401 shared-db-session, SLK402 transaction-not-rolled-back, SLK403 schema-not-dropped."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest

from helpers import diags, fix, lines, lint
from sessionlint.fixes import apply_ops
from sessionlint.model import FixOp


def conftest(body: str, imports: str = "") -> dict[str, str]:
    return {"conftest.py": f"{imports}\nimport pytest\n\n\n" + textwrap.dedent(body)}


# SLK401 ----------------------------------------------------------------------------------------
SESSIONS = {
    "sqlalchemy Session": ("from sqlalchemy.orm import Session", "s = Session(bind=engine)\n    yield s"),
    "sqlmodel Session": ("from sqlmodel import Session", "with Session(engine) as s:\n        yield s"),
    "sessionmaker()()": ("from sqlalchemy.orm import sessionmaker", "yield sessionmaker(bind=engine)()"),
    "local sessionmaker": ("from sqlalchemy import orm", "make = orm.sessionmaker(bind=engine)\n    yield make()"),
    "scoped_session": ("from sqlalchemy.orm import scoped_session, sessionmaker",
                       "yield scoped_session(sessionmaker(bind=engine))"),
    "engine.connect()": ("", "with engine.connect() as conn:\n        yield conn"),
    "engine.begin()": ("", "with engine.begin() as conn:\n        yield conn"),
    "local engine": ("from sqlalchemy import create_engine",
                     "e = create_engine('sqlite://')\n    c = e.connect()\n    yield c\n    c.close()\n"
                     "    e.dispose()"),
    "sqlite3": ("import sqlite3 as sq", "conn = sq.connect(':memory:')\n    yield conn\n    conn.close()"),
    "psycopg": ("import psycopg", "return psycopg.connect('dbname=test')"),
    "psycopg2": ("import psycopg2", "return psycopg2.connect('dbname=test')"),
    "pymysql": ("import pymysql", "return pymysql.connect()"),
    "asyncpg": ("import asyncpg", "return await asyncpg.connect()"),
    "aiosqlite": ("import aiosqlite", "async with aiosqlite.connect(':memory:') as db:\n        yield db"),
}  # fmt: skip


@pytest.mark.parametrize("scope", ["class", "module", "package", "session"])
@pytest.mark.parametrize(("imports", "body"), SESSIONS.values(), ids=SESSIONS.keys())
def test_slk401_broad_session_or_connection(project, scope: str, imports: str, body: str) -> None:
    asyn = "async " if "await" in body or "async with" in body else ""
    root = project(conftest(f'@pytest.fixture(scope="{scope}")\n{asyn}def db(engine):\n    {body}\n', imports))
    [(line, _col, message)] = diags(root, "SLK401")
    assert f"{scope}-scoped fixture 'db'" in message
    assert "own connection and transaction, rolled back after yield" in message
    assert not message.endswith(".")


@pytest.mark.parametrize(
    "body",
    [
        "e = create_engine('postgresql://x/y')\n    yield e\n    e.dispose()",  # an engine: the recommended pattern
        "return sessionmaker(bind=engine)",  # a factory
        "return 'sqlite:///test.db'",
        "return engine",  # another fixture's value
        "with socket.create_connection(('h', 1)) as s:\n        yield s",
        "return pool.connect()",  # not an engine
    ],
)
def test_slk401_silent_on_broad_non_sessions(project, body: str) -> None:
    imports = "import socket\nfrom sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker"
    root = project(conftest(f'@pytest.fixture(scope="session")\ndef db(engine, pool):\n    {body}\n', imports))
    assert lines(root, "SLK401") == []


def test_slk401_silent_on_function_scope_and_dynamic_scope(project) -> None:
    root = project(
        conftest(
            """\
            @pytest.fixture
            def a():
                conn = sqlite3.connect(":memory:")
                yield conn
                conn.close()


            @pytest.fixture(scope=pick_scope)
            def b():
                conn = sqlite3.connect(":memory:")
                yield conn
                conn.close()
            """,
            "import sqlite3",
        )
    )
    assert lines(root, "SLK401") == []


def test_slk401_module_level_sessionmaker(project) -> None:
    source = (
        "import pytest\nfrom sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n\n\n"
        '@pytest.fixture(scope="session")\ndef db():\n    db = SessionLocal()\n    try:\n        yield db\n'
        "    finally:\n        db.close()\n"
    )
    [(line, col, message)] = diags(project({"conftest.py": source}), "SLK401")
    assert (line, col) == (11, 15)
    assert "yields a session from SessionLocal()" in message


# SLK402 ----------------------------------------------------------------------------------------
def test_slk402_positives(project) -> None:
    root = project(
        conftest(
            """\
            @pytest.fixture
            def a(conn):
                conn.execute("BEGIN")
                yield conn
                conn.commit()


            @pytest.fixture
            def b(connection):
                t = connection.begin()
                yield connection


            @pytest.fixture
            def c(session):
                session.begin_nested()
                yield session


            @pytest.fixture
            def d(engine):
                with engine.begin() as conn:
                    yield conn


            @pytest.fixture
            def e(db_conn):
                cur = db_conn.cursor()
                cur.execute("start transaction")
                yield cur
            """
        )
    )
    found = diags(root, "SLK402")
    assert [line for line, _c, _m in found] == [7, 14, 20, 26, 33]
    assert "its teardown commits it" in found[0][2] and "(conn.rollback())" in found[0][2]
    assert "nothing after yield rolls it back" in found[1][2] and "(t.rollback())" in found[1][2]
    assert "leaving the with block after yield commits it" in found[3][2]
    assert "(db_conn.rollback())" in found[4][2]


@pytest.mark.parametrize(
    "body",
    [
        "t = connection.begin()\n    yield connection\n    t.rollback()",
        "t = connection.begin()\n    yield connection\n    connection.rollback()\n    connection.commit()",
        "connection.begin()\n    yield connection\n    connection.close()",
        "t = connection.begin()\n    yield connection\n    t.close()",
        "t = connection.begin()\n    yield connection\n    connection.close()\n    t.commit()",
        "t = connection.begin()\n    yield connection\n    cleanup(t)",
        "with connection.begin():\n        connection.execute('CREATE TABLE t (x)')\n    yield connection",
        "progress.begin()\n    yield progress",  # not a database
        "connection.execute('SELECT 1')\n    yield connection\n    connection.commit()",
        "connection.begin()\n    yield from run(connection)",
        "yield connection\n    connection.begin()\n    connection.commit()",  # begun in teardown
    ],
)
def test_slk402_silent(project, body: str) -> None:
    root = project(conftest(f"@pytest.fixture\ndef db(connection, progress):\n    {body}\n"))
    assert lines(root, "SLK402") == []


def test_slk402_not_for_return_fixtures(project) -> None:
    root = project(conftest("@pytest.fixture\ndef db(connection):\n    connection.begin()\n    return connection\n"))
    assert lines(root, "SLK402") == []


def test_slk402_fix_inserts_first_or_replaces_same_commit(project) -> None:
    root = project(
        conftest(
            """\
            @pytest.fixture
            def a(conn):
                conn.execute("BEGIN")
                yield conn
                conn.execute("DELETE FROM log")
                conn.commit()


            @pytest.fixture
            def b(session):
                nested = session.begin_nested()
                try:
                    yield session
                finally:
                    session.commit()
                    session.close()


            @pytest.fixture
            async def c(async_engine):
                async with async_engine.connect() as conn:
                    trans = await conn.begin()
                    yield conn
            """
        )
    )
    assert fix(root) == 1
    assert (root / "conftest.py").read_text() == "\nimport pytest\n\n\n" + textwrap.dedent(
        """\
        @pytest.fixture
        def a(conn):
            conn.execute("BEGIN")
            yield conn
            conn.execute("DELETE FROM log")
            conn.rollback()


        @pytest.fixture
        def b(session):
            nested = session.begin_nested()
            try:
                yield session
                nested.rollback()
            finally:
                session.commit()
                session.close()


        @pytest.fixture
        async def c(async_engine):
            async with async_engine.connect() as conn:
                trans = await conn.begin()
                yield conn
                await trans.rollback()
        """
    )
    assert lines(root, "SLK402") == []
    before = (root / "conftest.py").read_text()
    assert fix(root) == 0
    assert (root / "conftest.py").read_text() == before


def test_slk402_no_fix_for_a_cursor_param_or_an_expression_yield(project) -> None:
    root = project(
        conftest(
            """\
            @pytest.fixture
            def a(cursor):
                cursor.execute("BEGIN")
                yield cursor


            @pytest.fixture
            def b(conn):
                conn.begin()
                print((yield conn))
            """
        )
    )
    found = [d for d in lint(root).diagnostics if d.code == "SLK402"]
    assert [d.line for d in found] == [7, 13]
    assert all(d.fix is None for d in found)


def test_rollback_fixer_is_idempotent() -> None:
    source = "def fx(conn):\n    conn.begin()\n    yield conn\n"
    op = FixOp("x.py", "rollback-after-yield", (("func", "fx"), ("code", "conn.rollback()"), ("replace", "")))
    once = apply_ops(source, [op])
    assert once == source + "    conn.rollback()\n"
    assert apply_ops(once, [op]) == once


def test_sqlite_rollback_after_explicit_begin_undoes_the_write(tmp_path: Path) -> None:
    """The fix's premise for sqlite3: ``rollback()`` ends a ``BEGIN``; a later ``commit()`` commits nothing."""
    conn = sqlite3.connect(tmp_path / "db")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.rollback()
    conn.commit()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    conn.close()


# SLK403 ----------------------------------------------------------------------------------------
IMPORTS_403 = "import os\nfrom sqlalchemy import create_engine\nfrom app import Base\n\nURL = 'postgresql://db/test'"


@pytest.mark.parametrize(
    ("url", "create"),
    [
        ("'sqlite:///test.db'", "Base.metadata.create_all(engine)"),
        ("'postgresql://localhost/test'", "Base.metadata.create_all(bind=engine)"),
        ("URL", "Base.metadata.create_all(engine)"),
        ("f'postgresql://localhost/test_{worker_id}'", "Base.metadata.create_all(engine)"),
        ("'mysql+pymysql://root@localhost/test'", "Base.metadata.create_all(engine)"),
    ],
)
def test_slk403_lasting_databases(project, url: str, create: str) -> None:
    body = f"engine = create_engine({url})\n    {create}\n    yield engine\n    engine.dispose()"
    root = project(conftest(f'@pytest.fixture(scope="session")\ndef db(worker_id):\n    {body}\n', IMPORTS_403))
    [(line, _col, message)] = diags(root, "SLK403")
    assert line == 12
    assert "session-scoped fixture 'db' creates tables (Base.metadata.create_all)" in message
    assert "Base.metadata.drop_all(engine) after yield" in message


@pytest.mark.parametrize(
    ("args", "body"),
    [
        ("", "engine = create_engine('sqlite://')\n    Base.metadata.create_all(engine)\n    yield engine"),
        ("", "engine = create_engine('sqlite:///:memory:')\n    Base.metadata.create_all(engine)\n    yield engine"),
        ("", "engine = create_engine('sqlite+pysqlite:///file:x?mode=memory&uri=true')\n"
             "    Base.metadata.create_all(engine)\n    yield engine"),
        ("tmp_path_factory", "p = tmp_path_factory.mktemp('d') / 'x.db'\n    engine = create_engine(f'sqlite:///{p}')\n"
                             "    Base.metadata.create_all(engine)\n    yield engine"),
        ("engine", "Base.metadata.create_all(engine)\n    yield engine"),  # engine from another fixture
        ("", "engine = create_engine(os.environ['DATABASE_URL'])\n    Base.metadata.create_all(engine)\n"
             "    yield engine"),
        ("", "engine = create_engine('sqlite:///t.db')\n    Base.metadata.create_all(engine)\n    yield engine\n"
             "    Base.metadata.drop_all(engine)"),
        ("", "engine = create_engine('sqlite:///t.db')\n    Base.metadata.create_all(engine)\n    yield engine\n"
             "    os.remove('t.db')"),
        ("", "engine = create_engine('sqlite:///t.db')\n    Base.metadata.create_all(engine)\n    yield engine\n"
             "    drop_database(engine.url)"),
        ("", "engine = create_engine('sqlite:///t.db')\n    thing.create_all(engine)\n    yield engine"),
    ],
)  # fmt: skip
def test_slk403_silent(project, args: str, body: str) -> None:
    root = project(conftest(f'@pytest.fixture(scope="session")\ndef db({args}):\n    {body}\n', IMPORTS_403))
    assert lines(root, "SLK403") == []


def test_slk403_only_broad_fixtures(project) -> None:
    body = "engine = create_engine('sqlite:///t.db')\n    Base.metadata.create_all(engine)\n    yield engine"
    root = project(conftest(f"@pytest.fixture\ndef db():\n    {body}\n", IMPORTS_403))
    assert lines(root, "SLK403") == []


def test_slk403_fix_before_dispose_and_async(project) -> None:
    root = project(
        conftest(
            """\
            @pytest.fixture(scope="session")
            def engine():
                engine = create_engine("sqlite:///test.db")
                with engine.begin() as conn:
                    SQLModel.metadata.create_all(conn)
                yield engine
                engine.dispose()


            @pytest.fixture(scope="session")
            async def aengine():
                engine = create_async_engine("postgresql+asyncpg://localhost/t")
                async with engine.begin() as conn:
                    await conn.run_sync(Base.metadata.create_all)
                yield engine
                await engine.dispose()
            """,
            "from sqlalchemy import create_engine\nfrom sqlalchemy.ext.asyncio import create_async_engine\n"
            "from sqlmodel import SQLModel\nfrom app import Base",
        )
    )
    assert fix(root) == 1
    text = (root / "conftest.py").read_text()
    assert "    yield engine\n    SQLModel.metadata.drop_all(engine)\n    engine.dispose()\n" in text
    assert (
        "    yield engine\n    async with engine.begin() as connection:\n"
        "        await connection.run_sync(Base.metadata.drop_all)\n    await engine.dispose()\n"
    ) in text
    assert lines(root, "SLK403") == []
    assert fix(root) == 0
    assert (root / "conftest.py").read_text() == text


def test_slk403_return_fixture_reported_without_fix(project) -> None:
    body = "engine = create_engine('sqlite:///t.db')\n    Base.metadata.create_all(engine)\n    return engine"
    root = project(conftest(f'@pytest.fixture(scope="session")\ndef db():\n    {body}\n', IMPORTS_403))
    [diag] = [d for d in lint(root).diagnostics if d.code == "SLK403"]
    assert diag.fix is None


def test_drop_all_fixer_is_idempotent() -> None:
    source = "def fx():\n    e = make()\n    yield e\n    e.dispose()\n"
    op = FixOp("x.py", "drop-all-after-yield", (("func", "fx"), ("code", "m.drop_all(e)"), ("before", "e.dispose()")))
    once = apply_ops(source, [op])
    assert once == "def fx():\n    e = make()\n    yield e\n    m.drop_all(e)\n    e.dispose()\n"
    assert apply_ops(once, [op]) == once
