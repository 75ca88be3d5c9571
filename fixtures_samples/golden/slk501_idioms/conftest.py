import pytest


def _scope(fixture_name, config):
    return "function"  # decided at run time: unknown to sessionlint


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def engine(request, pytestconfig, worker_id):
    return object()


@pytest.fixture(scope="module")
def conn(engine, data_dir):
    return engine


@pytest.fixture
def env(monkeypatch, tmp_path, conn, capsys):
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope=_scope)
def dynamic(tmp_path):  # unknown scope: silent
    return tmp_path


@pytest.fixture(scope="module")
def patched(module_mocker):
    return module_mocker


@pytest.fixture(scope="session")
def offline():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_NETWORK", "1")
        yield
