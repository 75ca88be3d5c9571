import pytest


@pytest.fixture(scope="session")
def client(db):  # expect: SLK501
    return db


@pytest.fixture(scope="module")
def conn(engine):  # module requesting session: fine
    return engine


@pytest.fixture(
    scope="package",
)
def api(
    engine,
    conn,  # expect: SLK501
):
    return conn
