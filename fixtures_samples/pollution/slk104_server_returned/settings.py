"""Where the application listens: a port free when the test session starts."""

import socket


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HOST = "127.0.0.1"
PORT = _free_port()
