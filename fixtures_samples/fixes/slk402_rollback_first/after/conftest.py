import pytest


@pytest.fixture
def db(conn):
    conn.execute("BEGIN")
    yield conn
    conn.rollback()  # end of the test


@pytest.fixture
def db_session(connection):
    transaction = connection.begin()
    yield connection
    connection.execute("DELETE FROM audit_log")
    transaction.rollback()


@pytest.fixture
def nested(session):
    session.begin_nested()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def left_open(connection):
    transaction = connection.begin()
    yield connection
    transaction.rollback()


@pytest.fixture
def savepoint(session):
    nested = session.begin_nested()
    yield session
    nested.rollback()
    session.commit()
