from app.config import get_db_url


def test_db_url_is_set():
    assert get_db_url().startswith("sqlite:///")
