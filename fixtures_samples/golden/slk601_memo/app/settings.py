import os
from functools import lru_cache, cache

TIMEOUT = 5


@lru_cache(maxsize=None)
def get_config():
    return {"debug": os.environ.get("APP_DEBUG") == "1", "timeout": TIMEOUT}


@cache
def get_name():
    return "app"


def load():
    return get_config()["debug"]


def reset():
    get_config.cache_clear()
