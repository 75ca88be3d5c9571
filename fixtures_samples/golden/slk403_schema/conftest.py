import pytest
from sqlalchemy import MetaData, create_engine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from app.models import Base

metadata = MetaData()
DB_URL = "postgresql://localhost/test_app"


@pytest.fixture(scope="session")
def file_db():
    engine = create_engine("sqlite:///test.db")
    Base.metadata.create_all(engine)  # expect: SLK403
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def server_db():
    engine = create_engine(DB_URL)
    SQLModel.metadata.create_all(bind=engine)  # expect: SLK403
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def via_connection():
    engine = create_engine("postgresql://localhost/test")
    with engine.begin() as conn:
        metadata.create_all(conn)  # expect: SLK403
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def per_worker(worker_id):
    engine = create_engine(f"postgresql://localhost/test_{worker_id}")
    metadata.create_all(engine)  # expect: SLK403
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
async def async_db():
    engine = create_async_engine("postgresql+asyncpg://localhost/test")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)  # expect: SLK403
    yield engine
    await engine.dispose()
