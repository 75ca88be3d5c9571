import os
import sys

import pytest


@pytest.fixture(scope="session")
def offline():
    """No network for the whole run."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_NETWORK", "1")
        yield
        print("session done")


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("plugins")
        mp.syspath_prepend(str(path))
        yield path


@pytest.fixture(scope="class")
def quiet_env():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("VERBOSE", raising=False)
        yield
