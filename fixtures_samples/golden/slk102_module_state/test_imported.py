"""Objects imported from another module: constants are not shared state (jupyter_server's
``DEFAULT_JUPYTER_SERVER_PORT``, httpie's URL, poetry's fixture path); containers are."""
import pytest

from app.consts import DATA, DEFAULT_PORT, DELETE, REGION, SETTINGS, TIMEOUTS, URL, handlers
from elsewhere import SENTINEL, registry


@pytest.fixture
def port():
    return DEFAULT_PORT


@pytest.fixture
def url():
    return URL


@pytest.fixture
def data_dir():
    return DATA


@pytest.fixture
def region():
    return REGION


@pytest.fixture
def unset():
    return DELETE


@pytest.fixture
def timeouts():
    return TIMEOUTS


@pytest.fixture
def sentinel():
    return SENTINEL  # outside the project, spelled as a constant: not known to be state


@pytest.fixture
def settings():
    return SETTINGS  # expect: SLK102


@pytest.fixture
def all_handlers():
    return handlers  # expect: SLK102


@pytest.fixture
def shared_registry():
    return registry  # expect: SLK102


def test_uses(port, url, data_dir, region, unset, timeouts, sentinel, settings, all_handlers, shared_registry):
    assert port
