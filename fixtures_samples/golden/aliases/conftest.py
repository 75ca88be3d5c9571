import pytest as pt
from pytest import fixture


@pt.fixture(scope="session", name="registry")
def _registry_impl():
    return {}  # expect: SLK101


@fixture(scope="module")
def queue():
    return []  # expect: SLK101


class TestHolder:
    pass
