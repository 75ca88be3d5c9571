import os
from unittest import mock

started = mock.patch.dict(os.environ)


def setup_function():
    started.start()


def test_env_left_set():
    os.environ["APP_MODE"] = "x"  # expect: SLK301


def test_env_in_other_block():
    with open(os.devnull) as handle:
        os.environ["APP_OTHER"] = handle.name  # expect: SLK301
