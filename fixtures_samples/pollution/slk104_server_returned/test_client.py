import socket

from settings import HOST, PORT


def test_echo(echo_server):
    with socket.create_connection((HOST, PORT), timeout=5) as sock:
        sock.sendall(b"ping")
        assert sock.recv(1024) == b"ping"
