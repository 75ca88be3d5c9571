import pytest
from argparse import Namespace

from app.models import Config, Frozen, Point, Slotted


class Local:
    def __init__(self):
        self.items = {}


@pytest.fixture(scope="session")
def config():
    return Config()  # expect: SLK101


@pytest.fixture(scope="session")
def local():
    value = Local()
    yield value  # expect: SLK101


@pytest.fixture(scope="session")
def frozen():
    return Frozen()


@pytest.fixture(scope="session")
def point():
    return Point()


@pytest.fixture(scope="session")
def slotted():
    return Slotted()  # expect: SLK101


@pytest.fixture(scope="session")
def untouched():
    return Config()


@pytest.fixture(scope="session")
def session():
    return Namespace()


@pytest.fixture
def fresh():
    return Config()
