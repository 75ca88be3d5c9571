import functools
import os
from functools import cached_property


def traced(func):
    return func


class Keyring:
    def __init__(self):
        self.name = "app"

    @classmethod
    @functools.cache
    def is_available(cls):
        return os.environ.get("APP_KEYRING") != "off"

    @staticmethod
    @functools.lru_cache
    def backend_name():
        return os.environ.get("APP_KEYRING_BACKEND", "file")

    @functools.lru_cache(maxsize=16)
    def token(self, url):
        return os.environ.get("APP_TOKEN", "") + url

    @cached_property
    def default_token(self):
        return os.environ.get("APP_TOKEN", "")

    @traced
    @functools.lru_cache
    def traced_token(self):
        return os.environ.get("APP_TOKEN", "")


keyring = Keyring()


class Index:
    def __init__(self, url):
        self.url = url
        self.timeout = 5

    @property
    def client(self):
        from app.linehaul import user_agent_data

        return {"url": self.url, "agent": user_agent_data()}

    def headers(self):
        return {"User-Agent": str(self.client["agent"])}
