"""Fixtures that never release what they acquire."""

import shutil
import subprocess
from tempfile import mkdtemp
from unittest import mock

import httpx
import pytest


@pytest.fixture
def log_file(tmp_path):
    f = open(tmp_path / "log.txt", "a")
    yield f  # the test writes here
    f.close()


@pytest.fixture
def workdir():
    path = mkdtemp(prefix="app-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    proc = subprocess.Popen(["python", "-m", "http.server", "8765"])
    try:
        yield proc
    finally:
        print("server done")
    proc.terminate()
    proc.wait()


@pytest.fixture
def frozen_clock():
    patcher = mock.patch("time.time", return_value=1000.0)
    patcher.start()
    yield patcher
    patcher.stop()


@pytest.fixture
async def client():
    client = httpx.AsyncClient(base_url="http://testserver")
    yield client
    # nothing to clean up?
    await client.aclose()


@pytest.fixture
def patched():
    mock.patch("os.getcwd", return_value="/srv").start()  # no handle: reported, not fixed
    yield
