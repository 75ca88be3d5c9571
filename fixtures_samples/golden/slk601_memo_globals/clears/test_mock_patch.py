from unittest import mock

from app.config import get_settings


@mock.patch("app.config._settings", None)
def test_mock_patch(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert get_settings().env == "prod"
