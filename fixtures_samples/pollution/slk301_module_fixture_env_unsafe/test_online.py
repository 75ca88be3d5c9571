import sync


def test_sync_runs_online():
    assert sync.sync() == "synced"
