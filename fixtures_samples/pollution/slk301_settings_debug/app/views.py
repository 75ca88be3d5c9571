from app import settings


def error_page(exc):
    if settings.DEBUG:
        return f"Traceback: {exc!r}"
    return "Something went wrong"
