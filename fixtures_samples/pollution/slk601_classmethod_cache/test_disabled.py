from app.keyring import status


def test_status_with_keyring_off(monkeypatch):
    monkeypatch.setenv("APP_KEYRING", "off")
    assert status().startswith("keyring:")
