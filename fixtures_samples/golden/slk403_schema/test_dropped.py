"""Fixtures that clean up after themselves: nothing to report."""

import os

import pytest
from sqlalchemy import MetaData, create_engine

from app.models import Base

metadata = MetaData()


@pytest.fixture(scope="session")
def memory_db():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def memory_db_explicit():
    engine = create_engine("sqlite:///:memory:")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def tmp_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "test.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def dropped():
    engine = create_engine("sqlite:///test.db")
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def file_removed():
    engine = create_engine("sqlite:///test.db")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()
    os.remove("test.db")


@pytest.fixture(scope="session")
def engine_from_fixture(engine):
    Base.metadata.create_all(engine)
    yield


@pytest.fixture(scope="session")
def url_from_env():
    engine = create_engine(os.environ["DATABASE_URL"])
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def function_scoped():
    engine = create_engine("sqlite:///test.db")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()
