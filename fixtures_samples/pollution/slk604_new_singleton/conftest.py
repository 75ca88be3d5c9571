import pytest
from app.settings import Settings


@pytest.fixture
def settings():
    return Settings()  # looks fresh per test, but __new__ hands out the one instance
