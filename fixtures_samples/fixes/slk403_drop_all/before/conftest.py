import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base

Base = declarative_base()


@pytest.fixture(scope="session")
def engine():
    engine = create_engine("sqlite:///test.db")
    Base.metadata.create_all(engine)
    yield engine
    # the engine outlives the tests
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine():
    engine = create_engine("postgresql://localhost/test")
    Base.metadata.create_all(bind=engine)
    yield engine
