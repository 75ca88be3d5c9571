import os

import pytest


@pytest.fixture(scope="session")
def app_env():
    os.environ["APP_MODE"] = "test"
    yield "app"
