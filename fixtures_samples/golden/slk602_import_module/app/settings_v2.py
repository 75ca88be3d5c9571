import functools
import os


@functools.lru_cache
def get_config():
    return {"email": os.environ.get("ADMIN_EMAIL", "")}
