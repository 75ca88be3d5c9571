import dataclasses
import json
import types

import pandas as pd
import pytest

from app_state import _app

EnvVarsDict = dict[str, str]


def build_env():
    return {"HOME": "/tmp"}


@pytest.fixture(scope="session")
def config_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "c.json"
    path.write_text('{"debug": false}')
    with open(path) as f:
        return json.load(f)  # expect: SLK101


@pytest.fixture(scope="session")
def frame():
    return pd.DataFrame({"a": [1, 2]})  # expect: SLK101


@pytest.fixture(scope="module")
def env_vars() -> EnvVarsDict:
    return build_env()  # expect: SLK101


@pytest.fixture
def app():
    return _app  # expect: SLK102


@pytest.fixture(params=[{"a": 1}, {"a": 2}])
def read_only_param(request):
    return request.param


@pytest.fixture(params=[[1, 2], [3]])
def written_param(request):
    return request.param  # expect: SLK101


@dataclasses.dataclass(frozen=True)
class Settings:
    debug: bool = False


@pytest.fixture(scope="session")
def settings():
    return Settings()


@pytest.fixture(scope="session")
def limits():
    return (1, 2, ("a", "b"))


@pytest.fixture(scope="session")
def readonly_mapping():
    return types.MappingProxyType({"a": 1})


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")
