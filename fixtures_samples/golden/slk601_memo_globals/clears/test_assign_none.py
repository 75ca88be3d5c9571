import app.config
from app.config import get_settings


def test_assign(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert get_settings().env == "prod"
    app.config._settings = None
