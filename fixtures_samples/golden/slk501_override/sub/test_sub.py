def test_sub(client, repo):
    assert client is not None
