import dataclasses

import pytest


def test_config(config):
    config.debug = True  # expect: SLK201


def test_local(local):
    local.items["a"] = 1  # expect: SLK201


def test_frozen(frozen, point):
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen.debug = True  # expect: SLK201
    with pytest.raises(AttributeError):
        point.x = 1  # expect: SLK201


def test_slotted(slotted):
    slotted.debug = True  # expect: SLK201


def test_reads(untouched, fresh):
    assert not untouched.debug
    fresh.debug = True


def test_session(session):
    session.headers["X"] = "1"  # expect: SLK201
