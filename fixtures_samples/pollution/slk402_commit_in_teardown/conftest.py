import sqlite3

import pytest


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT UNIQUE)")
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def conn(db_path):
    conn = sqlite3.connect(db_path)
    yield conn
    conn.close()


@pytest.fixture
def db(conn):
    """Each test runs in a transaction on the module's connection."""
    conn.execute("BEGIN")
    yield conn
    conn.commit()
