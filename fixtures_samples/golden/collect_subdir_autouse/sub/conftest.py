import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def offline_mode():
    """Set up when the first test of sub/ runs: tests elsewhere see it or not depending on order."""
    os.environ["APP_OFFLINE"] = "1"  # expect: SLK301
    yield
