import pytest


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch):
    monkeypatch.setenv("DATA_DIR", "/srv/data")
