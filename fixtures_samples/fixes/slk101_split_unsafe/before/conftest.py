import pytest


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    return {"root": str(tmp_path_factory.getbasetemp()), "users": []}
