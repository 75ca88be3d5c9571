"""A tiny echo server, run as a child process by the tests."""

import os
import selectors
import socket
import sys


def main(port: int) -> None:
    parent = os.getppid()
    server = socket.create_server(("127.0.0.1", port))
    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ)
    while os.getppid() == parent:  # never outlive the test run
        for _key, _events in selector.select(timeout=0.2):
            client, _ = server.accept()
            with client:
                client.sendall(client.recv(1024))


if __name__ == "__main__":
    main(int(sys.argv[1]))
