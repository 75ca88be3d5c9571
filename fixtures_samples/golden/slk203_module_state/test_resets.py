"""A test putting a container back as the module built it is the cleanup, not the leak (fastapi)."""

COUNTER = {"counter": 0, "name": "c"}
ERRORS = []
SEEN: dict[str, bool] = {}
FILLED = []
FILLED.append("import-time entry")


def bump():
    COUNTER["counter"] += 1
    ERRORS.append("boom")


def test_counter_reset():
    COUNTER["counter"] = 0
    bump()
    assert COUNTER["counter"] == 1


def test_errors_cleared():
    bump()
    assert ERRORS
    ERRORS.clear()


def test_seen_cleared():
    SEEN.clear()


def test_counter_other_value():
    COUNTER["counter"] = 5  # expect: SLK203


def test_counter_other_key():
    COUNTER["name"] = 0  # expect: SLK203


def test_filled_cleared():
    FILLED.clear()  # expect: SLK203
