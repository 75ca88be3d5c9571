import os

import pytest

import sync


@pytest.fixture(scope="module")
def offline():
    os.environ["APP_OFFLINE"] = "1"
    yield


def test_sync_is_skipped_offline(offline):
    assert sync.sync() == "skipped"
