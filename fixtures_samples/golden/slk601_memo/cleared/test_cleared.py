from app.settings import get_config


def test_autouse_fixture_clears(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert get_config()["debug"]
