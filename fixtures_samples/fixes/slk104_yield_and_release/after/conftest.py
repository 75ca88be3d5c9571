import sqlite3
import subprocess
from unittest import mock

import pytest


@pytest.fixture
def config_file(tmp_path):
    """A config file the test writes to."""
    file = open(tmp_path / "app.cfg", "w")  # opened for writing
    yield file
    file.close()


@pytest.fixture
def db(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("CREATE TABLE users (name TEXT)")
    yield conn
    conn.close()


@pytest.fixture
def file(tmp_path):
    # the name "file" is taken: the fix picks another
    file2 = open(tmp_path / "data.bin", "rb")
    yield file2
    file2.close()


@pytest.fixture
def worker():
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    proc.terminate()
    proc.wait()


@pytest.fixture
def frozen_clock():
    patcher = mock.patch("time.time", return_value=1000.0)
    yield patcher.start()
    patcher.stop()
