import copy
import pytest


@pytest.fixture(scope="session")
def _settings_shared(tmp_path_factory):
    return {"root": str(tmp_path_factory.getbasetemp()), "users": []}


@pytest.fixture
def settings(_settings_shared):
    return copy.deepcopy(_settings_shared)
