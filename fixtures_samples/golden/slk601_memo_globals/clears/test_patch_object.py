from unittest import mock

from app import config


def test_patch_object(monkeypatch):
    monkeypatch.setenv("BACKEND_REDIS", "redis://")
    with mock.patch.object(config, "_cache", {}):
        assert config.get_backend("redis") == "redis://"
