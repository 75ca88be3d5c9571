from app.config import get_db_url


def test_db_url():
    assert get_db_url().endswith("/app.db")
