import socket
import sqlite3 as sq
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from tempfile import mkdtemp
from unittest import mock

import httpx
import pytest
import requests
from sqlalchemy import create_engine


@pytest.fixture
def log_file(tmp_path):
    f = open(tmp_path / "log.txt", "a")  # expect: SLK103
    yield f


@pytest.fixture
def db(tmp_path):
    conn = sq.connect(tmp_path / "app.db")  # expect: SLK103
    conn.execute("CREATE TABLE users (name TEXT)")
    yield conn


@pytest.fixture
def workdir():
    path = mkdtemp()  # expect: SLK103
    yield path


@pytest.fixture(scope="session")
def server():
    proc = subprocess.Popen(["python", "-m", "http.server", "8765"])  # expect: SLK103
    yield proc


@pytest.fixture
def frozen_clock():
    patcher = mock.patch("time.time", return_value=1000.0)
    patcher.start()  # expect: SLK103
    yield


@pytest.fixture
def offline():
    mock.patch("socket.create_connection", side_effect=OSError).start()  # expect: SLK103
    yield


@pytest.fixture(scope="module")
def executor():
    pool = ThreadPoolExecutor(max_workers=2)  # expect: SLK103
    yield pool


@pytest.fixture
def api():
    session = requests.Session()  # expect: SLK103
    session.headers["Authorization"] = "Bearer test"
    yield session


@pytest.fixture
async def async_api():
    client = httpx.AsyncClient(base_url="http://testserver")  # expect: SLK103
    yield client


@pytest.fixture
def scratch():
    tmp = tempfile.NamedTemporaryFile()  # expect: SLK103
    yield tmp.name


@pytest.fixture
def listener():
    sock = socket.socket()  # expect: SLK103
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]


@pytest.fixture(scope="session")
def engine():
    engine = create_engine("sqlite://")  # expect: SLK103
    yield engine


@pytest.fixture
def report(request, tmp_path):
    if request.config.getoption("verbose"):
        out = open(tmp_path / "out.txt", "w")  # expect: SLK103
        out.write("header\n")
    yield tmp_path / "out.txt"
