"""python_files is check_*.py here: this file is not collected, so not linted."""

import os


def test_something():
    os.environ["NOT_COLLECTED"] = "1"
