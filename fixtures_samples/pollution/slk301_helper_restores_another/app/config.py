DEBUG = False
TIMEOUT = 30


def reset_timeout():
    global TIMEOUT
    TIMEOUT = 30


def error_page(exc):
    return f"Traceback: {exc!r}" if DEBUG else "Something went wrong"
