import os

_settings = None


class Settings:
    def __init__(self, env):
        self.env = env


def get_settings():
    global _settings
    if _settings is None:
        _settings = Settings(os.environ.get("APP_ENV", "dev"))
    return _settings
