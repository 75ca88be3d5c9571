def test_top(client):
    assert client is not None
