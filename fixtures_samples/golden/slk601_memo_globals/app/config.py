import os

_settings = None
_cache = {}


class Settings:
    def __init__(self, env):
        self.env = env


def get_settings():
    global _settings
    if _settings is None:
        _settings = Settings(os.environ.get("APP_ENV", "dev"))
    return _settings


def get_backend(name):
    if name not in _cache:
        _cache[name] = os.environ.get("BACKEND_" + name.upper(), "memory")
    return _cache[name]


def current_env():
    return get_settings().env


def reset_settings():
    global _settings
    _settings = None


def clear_caches():
    _cache.clear()
