from app.client import client


def test_default_attempts():
    assert client.attempts() == 4
