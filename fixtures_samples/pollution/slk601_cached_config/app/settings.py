import functools
import os


@functools.lru_cache
def get_config():
    return {"debug": os.environ.get("APP_DEBUG") == "1"}


def render_page():
    return "<page debug>" if get_config()["debug"] else "<page>"
