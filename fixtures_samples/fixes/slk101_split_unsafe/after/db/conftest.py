import pytest


@pytest.fixture(scope="module")
def database(_settings_shared):
    """A broad consumer: it must keep the shared value."""
    settings = _settings_shared
    return {"url": settings["root"] + "/db.sqlite"}  # noqa: SLK101
