from app.client import client


def test_no_retries():
    client.retries = 0
    assert client.attempts() == 1
