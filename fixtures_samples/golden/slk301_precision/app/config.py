import threading

DEBUG = False
TIMEOUT = 30
_cache = {}
_registry = {"json": "application/json"}


def reset():
    global DEBUG
    DEBUG = False


def configure(timeout):
    global TIMEOUT
    TIMEOUT = timeout


def lookup(name):
    return _cache.get(name)


class Connection:
    retries = 3


def fetch(url):
    return url


connection = Connection()
_local = threading.local()


def connect():
    global _engine
    _engine = "sqlite://"
    return _engine
