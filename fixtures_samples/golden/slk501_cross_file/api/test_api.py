def test_get(client, conn, api):
    assert client is not None
