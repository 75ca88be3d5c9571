"""Fixtures that clean up after themselves: nothing to report."""

import sqlite3

import pytest
from sqlalchemy.orm import Session


@pytest.fixture
def rolled_back(engine):
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture
def nested_rolled_back(db_session):
    nested = db_session.begin_nested()
    yield db_session
    nested.rollback()


@pytest.fixture
def closed_without_commit(engine):
    connection = engine.connect()
    connection.begin()
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def setup_committed(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield engine


@pytest.fixture
def helper_teardown(connection):
    transaction = connection.begin()
    yield connection
    finish(transaction)


@pytest.fixture
def not_a_database(progress):
    progress.begin()
    yield progress


@pytest.fixture
def sqlite_rollback(tmp_path):
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    conn.execute("BEGIN")
    yield conn
    conn.rollback()
    conn.close()


@pytest.fixture
def delegated(connection):
    connection.begin()
    yield from run(connection)


def finish(transaction):
    transaction.rollback()


def run(connection):
    yield connection
