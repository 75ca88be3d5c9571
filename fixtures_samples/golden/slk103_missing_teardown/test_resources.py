import sqlite3

import pytest


@pytest.fixture
def local_db():
    conn = sqlite3.connect(":memory:")  # expect: SLK103
    yield conn


def test_log(log_file):
    log_file.write("x")


def test_db(db, local_db):
    assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)
