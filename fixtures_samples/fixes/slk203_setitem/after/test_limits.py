LIMITS = {"retries": 3, "timeout": 10}


def test_no_retries(monkeypatch):
    monkeypatch.setitem(LIMITS, "retries", 0)
    assert LIMITS["retries"] == 0


def test_short_timeout(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setitem(LIMITS, "timeout", 1)  # the test's own value
    assert LIMITS["timeout"] == 1


def test_defaults():
    assert LIMITS == {"retries": 3, "timeout": 10}
