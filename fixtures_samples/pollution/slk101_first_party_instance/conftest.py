import pytest

from app.settings import Settings


@pytest.fixture(scope="session")
def settings():
    return Settings()
