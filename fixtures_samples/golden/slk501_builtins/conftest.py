import pytest


@pytest.fixture(scope="session")
def data_dir(tmp_path):  # expect: SLK501
    (tmp_path / "users.json").write_text("[]")
    return tmp_path


@pytest.fixture(scope="session")
def legacy_dir(tmpdir):  # expect: SLK501
    return tmpdir


@pytest.fixture(scope="module")
def env(pytestconfig, monkeypatch):  # expect: SLK501
    monkeypatch.setenv("APP_ENV", "test")
    yield


@pytest.fixture(scope="package")
def quiet(capsys, capfd, caplog, recwarn):  # expect: SLK501, SLK501, SLK501, SLK501
    yield


@pytest.fixture(scope="module")
def patched(mocker):  # expect: SLK501
    return mocker
