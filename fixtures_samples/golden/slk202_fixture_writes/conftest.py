import pytest


@pytest.fixture(scope="session")
def settings():
    return {"users": [], "flags": set()}  # noqa: SLK101


@pytest.fixture(scope="module")
def module_flags(settings):
    settings["flags"].add("beta")  # expect: SLK202
    return settings["flags"]


@pytest.fixture
def admin(settings):
    settings["users"].append("admin")  # expect: SLK202
    return "admin"


# ---- silent: restored after yield, copies, same scope
@pytest.fixture
def restored_admin(settings):
    settings["users"].append("admin")
    yield "admin"
    settings["users"].remove("admin")


@pytest.fixture
def private_copy(settings):
    settings = dict(settings)
    settings["users"] = ["me"]
    return settings


@pytest.fixture(scope="session")
def session_setup(settings):
    settings["users"].append("root")
    return True
