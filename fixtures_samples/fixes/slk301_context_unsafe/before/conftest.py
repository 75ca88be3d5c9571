import os
import sys

import pytest


@pytest.fixture(scope="session")
def offline():
    """No network for the whole run."""
    os.environ["NO_NETWORK"] = "1"
    yield
    print("session done")


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("plugins")
    sys.path.append(str(path))
    return path


@pytest.fixture(scope="class")
def quiet_env():
    os.environ.pop("VERBOSE", None)
