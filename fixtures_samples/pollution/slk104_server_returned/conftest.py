import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from settings import HOST, PORT

HERE = Path(__file__).parent


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture
def echo_server():
    """The echo server, running in a child process for the test."""
    proc = subprocess.Popen([sys.executable, str(HERE / "echo_server.py"), str(PORT)])
    wait_for_port(PORT)
    return proc
