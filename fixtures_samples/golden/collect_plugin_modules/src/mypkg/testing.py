"""A pytest plugin shipped inside the package (src layout), named in pytest_plugins."""

import pytest


@pytest.fixture(scope="session")
def app_config():
    return {"debug": False, "plugins": []}  # expect: SLK101
