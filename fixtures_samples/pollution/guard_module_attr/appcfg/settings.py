PORT = 8000


def url():
    return f"http://localhost:{PORT}"
