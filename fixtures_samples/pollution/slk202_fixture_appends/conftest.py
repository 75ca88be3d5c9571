import pytest


@pytest.fixture(scope="session")
def settings():
    return {"users": [], "debug": False}  # noqa: SLK101


@pytest.fixture
def admin_user(settings):
    settings["users"].append("admin")
    return "admin"
