"""Fixtures that release what they acquire: sessionlint must stay silent on all of them."""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
from http.server import HTTPServer, SimpleHTTPRequestHandler
from tempfile import mkdtemp
from unittest import mock

import pytest

from helpers import kill_tree, running_server


@pytest.fixture
def with_block(tmp_path):
    with open(tmp_path / "log.txt", "a") as f:
        yield f


@pytest.fixture
def try_finally(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def finalizer(request):
    proc = subprocess.Popen(["sleep", "60"])
    request.addfinalizer(proc.kill)
    yield proc


@pytest.fixture
def finalizer_closure(request):
    path = mkdtemp()

    def cleanup():
        shutil.rmtree(path)

    request.addfinalizer(cleanup)
    yield path


@pytest.fixture
def exit_stack(tmp_path):
    with contextlib.ExitStack() as stack:
        f = open(tmp_path / "a.txt", "w")
        stack.enter_context(f)
        yield f


@pytest.fixture
def closing(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    with contextlib.closing(conn):
        yield conn


@pytest.fixture
def file_as_context_manager(tmp_path):
    f = open(tmp_path / "a.txt", "w")
    with f:
        yield f


@pytest.fixture
def delegated():
    yield from running_server()


@pytest.fixture
def alias_released(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    db = conn
    yield db
    db.close()


@pytest.fixture
def released_before_yield(tmp_path):
    f = open(tmp_path / "data.txt")
    data = f.read()
    f.close()
    yield data


@pytest.fixture
def cleanup_helper():
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    kill_tree(proc.pid)


@pytest.fixture
def handed_to_owner(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    registry = Registry(conn)
    yield registry
    registry.shutdown()


@pytest.fixture
def stored_on_node(request, tmp_path):
    f = open(tmp_path / "log.txt", "w")
    request.node.log_file = f
    yield


@pytest.fixture
def patcher_stopped():
    patcher = mock.patch("time.time", return_value=0.0)
    yield patcher.start()
    patcher.stop()


@pytest.fixture
def stopall():
    mock.patch("os.getcwd", return_value="/").start()
    yield
    mock.patch.stopall()


@pytest.fixture
def mkdtemp_removed():
    path = tempfile.mkdtemp()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def mkdtemp_path_calls(monkeypatch):
    path = tempfile.mkdtemp()
    monkeypatch.chdir(path)
    yield os.path.join(path, "x")
    os.rmdir(path)


@pytest.fixture
def server_thread():
    httpd = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()


@pytest.fixture
def rebound(tmp_path):
    f = open(tmp_path / "a.txt", "w")
    f = Wrapper(f)
    yield f


@pytest.fixture
def process_waited():
    proc = subprocess.Popen(["true"])
    yield proc
    proc.wait(timeout=5)


@pytest.fixture
def returns_path(tmp_path):
    with open(tmp_path / "app.cfg", "w") as f:
        f.write("debug = 1")
    return tmp_path / "app.cfg"


@pytest.fixture
def returns_factory(tmp_path):
    return lambda name: open(tmp_path / name)


@pytest.fixture
def returns_with_finalizer(request, tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    request.addfinalizer(conn.close)
    return conn


class Registry:
    def __init__(self, conn):
        self.conn = conn

    def shutdown(self):
        self.conn.close()


class Wrapper:
    def __init__(self, f):
        self.f = f
