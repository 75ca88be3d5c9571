import conf


def setup_module():
    conf.USE_INTERNET = False


def test_cached_lookup():
    assert conf.lookup("x") == "cached:x"
