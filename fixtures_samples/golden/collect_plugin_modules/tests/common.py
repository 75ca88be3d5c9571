"""Test-support helpers are checked as fixtures are."""

import contextlib
import os


@contextlib.contextmanager
def offline():
    os.environ["NO_NETWORK"] = "1"  # expect: SLK301
    yield


@contextlib.contextmanager
def env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
