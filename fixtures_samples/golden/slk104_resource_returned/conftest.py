import asyncio
import sqlite3
import subprocess
from tempfile import mkdtemp
from unittest import mock

import pytest


@pytest.fixture
def config_file(tmp_path):
    return open(tmp_path / "app.cfg", "w")  # expect: SLK104


@pytest.fixture(scope="session")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (name TEXT)")
    return conn  # expect: SLK104, SLK401


@pytest.fixture
def workdir():
    return mkdtemp()  # expect: SLK104


@pytest.fixture
def worker():
    proc = subprocess.Popen(["sleep", "60"])
    return proc  # expect: SLK104


@pytest.fixture
def fake_cwd():
    return mock.patch("os.getcwd", return_value="/srv").start()  # expect: SLK104


@pytest.fixture
def loop():
    return asyncio.new_event_loop()  # expect: SLK104


@pytest.fixture
def branchy(request, tmp_path):
    if request.param:
        return open(tmp_path / "a.txt")  # expect: SLK104
    return None
