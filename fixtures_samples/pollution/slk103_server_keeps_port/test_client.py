import socket


def test_echo(echo_server):
    with socket.create_connection(echo_server, timeout=5) as sock:
        sock.sendall(b"ping")
        assert sock.recv(1024) == b"ping"
