import functools
import os


@functools.cache
def cache_root():
    return os.environ.get("DATA_DIR", "/var/cache")
