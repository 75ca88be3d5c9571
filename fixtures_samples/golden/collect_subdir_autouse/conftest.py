import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def app_settings():
    """Root-level: applies before the first test of the whole run, whatever the order."""
    os.environ["APP_SETTINGS"] = "test"
    yield
