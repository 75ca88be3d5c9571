import os


def setup():  # not a test module under alpha's python_files: an ordinary function
    os.environ["ALPHA_MODE"] = "1"


def test_fill(cache):
    cache["key"] = 1
