import conf


def test_live_lookup():
    assert conf.lookup("x") == "live:x"
