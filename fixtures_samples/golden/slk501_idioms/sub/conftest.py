import pytest


@pytest.fixture(scope="session")
def engine(engine):
    # overrides itself and gets the session-scoped engine above: fine
    return engine


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    # a broader-or-equal override of what conn requests: fine
    return tmp_path_factory.mktemp("sub")
