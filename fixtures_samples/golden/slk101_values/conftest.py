import collections
from collections import defaultdict as dd
from types import MappingProxyType

import pytest

SESSION = "session"


@pytest.fixture(scope="session")
def config():
    return {"database_url": "sqlite:///test.db", "users": []}  # expect: SLK101


@pytest.fixture(scope=SESSION)
def names():
    result = ["alice", "bob"]
    return result  # expect: SLK101


@pytest.fixture(scope="module")
def counters():
    yield collections.Counter()  # expect: SLK101


@pytest.fixture(scope="class")
def groups():
    return dd(list)  # expect: SLK101


@pytest.fixture(scope="package")
def merged(config):
    return {**config}  # expect: SLK101


@pytest.fixture(scope="session")
def squares():
    return {n: n * n for n in range(3)}  # expect: SLK101


@pytest.fixture(params=[[1, 2], [3]])
def numbers(request):
    return request.param  # expect: SLK101


# ---- silent: immutable values, factories, function scope, dynamic scope
@pytest.fixture(scope="session")
def frozen():
    return MappingProxyType({"a": 1})


@pytest.fixture(scope="session")
def pair():
    return ("a", "b")


@pytest.fixture(scope="session")
def make_user():
    def make(**overrides):
        return {"name": "alice", **overrides}

    return make


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def fresh():
    return {"a": []}


def pick_scope(fixture_name, config):
    return "session"


@pytest.fixture(scope=pick_scope)
def dynamic():
    return {"unknown": "scope"}


@pytest.fixture(params=[1, 2])
def plain_param(request):
    return request.param
