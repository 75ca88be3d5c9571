from app.config import get_settings


def test_setattr(monkeypatch):
    monkeypatch.setattr("app.config._settings", None)
    monkeypatch.setenv("APP_ENV", "prod")
    assert get_settings().env == "prod"
