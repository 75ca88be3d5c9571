import pytest

from app.settings import get_config


@pytest.fixture(autouse=True)
def _fresh_config():
    yield
    get_config.cache_clear()
