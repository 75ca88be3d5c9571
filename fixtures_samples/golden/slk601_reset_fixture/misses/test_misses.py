from app import config
from app.config import get_db_url, get_settings


def test_settings_are_fresh(tmp_path):
    assert get_settings()["data_dir"] == str(tmp_path)


def test_db_url(tmp_path):
    assert get_db_url().endswith("/app.db")  # expect: SLK601


def test_db_url_through_the_module():
    assert config.get_db_url()  # expect: SLK601


def test_db_url_cleared_here():
    get_db_url.cache_clear()
    assert get_db_url()
    get_db_url.cache_clear()
