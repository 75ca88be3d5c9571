import pytest


@pytest.fixture
def commits(conn):
    conn.execute("BEGIN")  # expect: SLK402
    yield conn
    conn.commit()


@pytest.fixture
def left_open(connection):
    transaction = connection.begin()  # expect: SLK402
    yield connection


@pytest.fixture
def savepoint(db_session):
    db_session.begin_nested()  # expect: SLK402
    yield db_session
    db_session.commit()


@pytest.fixture
def with_block(engine):
    with engine.begin() as conn:  # expect: SLK402
        yield conn


@pytest.fixture
def cursor_begin(db_conn):
    cur = db_conn.cursor()
    cur.execute("BEGIN TRANSACTION")  # expect: SLK402
    yield cur
    db_conn.commit()


@pytest.fixture
async def async_session(async_engine):
    async with async_engine.connect() as conn:
        trans = await conn.begin()  # expect: SLK402
        yield conn
        await trans.commit()
