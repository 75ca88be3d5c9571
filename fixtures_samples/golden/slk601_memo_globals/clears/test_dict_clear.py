from app import config


def test_clear(monkeypatch):
    monkeypatch.setenv("BACKEND_REDIS", "redis://")
    assert config.get_backend("redis") == "redis://"
    config._cache.clear()
