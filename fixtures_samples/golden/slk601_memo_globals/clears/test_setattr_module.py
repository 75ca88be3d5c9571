from app import config


def test_setattr(monkeypatch):
    monkeypatch.setattr(config, "_settings", None)
    monkeypatch.setenv("APP_ENV", "prod")
    assert config.get_settings().env == "prod"
