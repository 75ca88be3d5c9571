from app.paths import cache_root


def test_cache_root():
    # cache_root reads DATA_DIR too, but the reset fixture is about app.config: not its business
    assert cache_root()
