import functools
import os


@functools.lru_cache
def get_settings():
    return {"data_dir": os.environ.get("DATA_DIR", "/var/data")}


@functools.lru_cache
def get_db_url():
    return "sqlite:///" + get_settings()["data_dir"] + "/app.db"
