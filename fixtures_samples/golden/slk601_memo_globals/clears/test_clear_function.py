from app.config import clear_caches, get_backend


def test_clear(monkeypatch):
    monkeypatch.setenv("BACKEND_REDIS", "redis://")
    assert get_backend("redis") == "redis://"
    clear_caches()
