import pytest


@pytest.fixture(scope="module")
def database(settings):
    """A broad consumer: it must keep the shared value."""
    return {"url": settings["root"] + "/db.sqlite"}  # noqa: SLK101
