"""Shared fixtures."""
import pytest


@pytest.fixture(scope="session")
def data_dir(tmp_path):
    """A directory with the users file."""
    # seed it
    (tmp_path / "users.json").write_text("[]")
    return tmp_path


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory, tmpdir):  # both requested
    return tmpdir


@pytest.fixture(scope="module")
def env(
    data_dir,
    monkeypatch,
):
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    yield
    # teardown: nothing else


@pytest.fixture(scope="class")
def offline(monkeypatch):  # no fix: the fixture returns
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    return True
