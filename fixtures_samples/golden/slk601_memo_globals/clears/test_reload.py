import importlib

from app import config


def test_reload(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    importlib.reload(config)
    assert config.get_settings().env == "prod"
