from app.keyring import Keyring


def test_keyring_is_available_by_default():
    assert Keyring.is_available()
