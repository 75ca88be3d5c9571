import os


def test_settings_set():
    assert os.environ["APP_SETTINGS"] == "test"
