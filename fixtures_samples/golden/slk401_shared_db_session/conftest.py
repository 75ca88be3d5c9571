import aiosqlite
import asyncpg
import psycopg2
import pytest
import sqlite3 as sq
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

SessionLocal = sessionmaker()


@pytest.fixture(scope="session")
def engine():
    engine = create_engine("postgresql://localhost/test")
    yield engine  # a broad engine is the recommended pattern: not flagged
    engine.dispose()


@pytest.fixture(scope="session")
def connection(engine):
    with engine.connect() as conn:
        yield conn  # expect: SLK401


@pytest.fixture(scope="module")
def db_session(engine):
    session = Session(bind=engine)
    yield session  # expect: SLK401
    session.close()


@pytest.fixture(scope="session")
def scoped(engine):
    registry = scoped_session(sessionmaker(bind=engine))
    yield registry  # expect: SLK401
    registry.remove()


@pytest.fixture(scope="package")
def made_session():
    session = SessionLocal()
    yield session  # expect: SLK401
    session.close()


@pytest.fixture(scope="class")
def made_inline(engine):
    with sessionmaker(bind=engine)() as session:
        yield session  # expect: SLK401


@pytest.fixture(scope="module")
def sqlite_conn():
    conn = sq.connect(":memory:")
    yield conn  # expect: SLK401
    conn.close()


@pytest.fixture(scope="session")
def pg_conn():
    conn = psycopg2.connect("dbname=test")
    yield conn  # expect: SLK401
    conn.close()


@pytest.fixture(scope="session")
async def apg():
    conn = await asyncpg.connect("postgresql://localhost/test")
    yield conn  # expect: SLK401
    await conn.close()


@pytest.fixture(scope="module")
async def lite():
    async with aiosqlite.connect(":memory:") as db:
        yield db  # expect: SLK401


@pytest.fixture(scope="session")
def raw(engine):
    return engine.raw_connection()  # expect: SLK401


@pytest.fixture
def per_test_session(engine):
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection)
    yield session  # function scope: the recommended pattern
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture(scope="session")
def session_factory(engine):
    return sessionmaker(bind=engine)  # a factory, not a session


@pytest.fixture(scope="session")
def db_url():
    return "sqlite:///test.db"
