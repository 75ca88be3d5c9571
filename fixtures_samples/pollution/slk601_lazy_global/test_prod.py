from app.config import get_settings


def test_settings_are_one_object_in_prod(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert get_settings() is get_settings()
