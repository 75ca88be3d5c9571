from app import config


def test_reset(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert config.get_settings().env == "prod"
    config.reset_settings()
