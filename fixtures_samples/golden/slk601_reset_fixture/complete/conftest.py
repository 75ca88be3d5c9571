import pytest

from app.config import get_db_url, get_settings


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_db_url.cache_clear()
    yield
    get_settings.cache_clear()
    get_db_url.cache_clear()
