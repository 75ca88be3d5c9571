import sqlite3
import subprocess
from unittest import mock

import pytest


@pytest.fixture
def config_file(tmp_path):
    """A config file the test writes to."""
    return open(tmp_path / "app.cfg", "w")  # opened for writing


@pytest.fixture
def db(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("CREATE TABLE users (name TEXT)")
    return conn


@pytest.fixture
def file(tmp_path):
    # the name "file" is taken: the fix picks another
    return open(tmp_path / "data.bin", "rb")


@pytest.fixture
def worker():
    proc = subprocess.Popen(["sleep", "60"])
    return proc


@pytest.fixture
def frozen_clock():
    patcher = mock.patch("time.time", return_value=1000.0)
    return patcher.start()
