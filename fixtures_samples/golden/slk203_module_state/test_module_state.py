import copy
import json
from unittest import mock

from app.registry import DEFAULTS, HANDLERS

FAKE_IDENTITY = {"name": "bot", "editcount": 0}
PAYLOAD = json.loads('{"items": []}')
LIMITS = (1, 2, 3)


def test_append_handler():
    HANDLERS.append(print)  # expect: SLK203


def test_alias_write():
    identity = FAKE_IDENTITY
    identity["editcount"] = 500  # expect: SLK203


def test_deserialized():
    PAYLOAD["items"].append(1)  # expect: SLK203


def test_retries():
    payload = DEFAULTS
    payload["retries"] = 5  # expect: SLK203


def test_copy_first():
    payload = dict(DEFAULTS)
    payload["retries"] = 5
    identity = copy.deepcopy(FAKE_IDENTITY)
    identity["editcount"] = 1
    items = [*HANDLERS]
    items.append(print)
    other = DEFAULTS.copy()
    other.pop("timeout")


def test_patched():
    with mock.patch.dict(DEFAULTS, {"retries": 0}):
        DEFAULTS["timeout"] = 0


def test_monkeypatched(monkeypatch):
    monkeypatch.setitem(DEFAULTS, "retries", 0)


def test_restored():
    HANDLERS.append(print)
    try:
        assert HANDLERS
    finally:
        HANDLERS.remove(print)


def test_reads_only():
    assert FAKE_IDENTITY["name"] == "bot"
    assert len(LIMITS) == 3


class TestPayload:
    payload = {"k": "v"}

    def test_write(self):
        self.payload["k"] = "w"  # expect: SLK203

    def test_read(self):
        assert self.payload["k"] == "v"
