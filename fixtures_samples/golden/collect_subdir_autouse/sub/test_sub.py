import os


def test_offline():
    assert os.environ["APP_OFFLINE"] == "1"
