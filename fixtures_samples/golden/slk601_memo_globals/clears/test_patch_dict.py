from unittest import mock

from app import config


def test_patch_dict(monkeypatch):
    monkeypatch.setenv("BACKEND_REDIS", "redis://")
    with mock.patch.dict(config._cache):
        assert config.get_backend("redis") == "redis://"
