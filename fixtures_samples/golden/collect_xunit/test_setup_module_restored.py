"""Set up and torn down: silent."""

import settings

_saved = None


def setup_module(module):
    global _saved
    _saved = settings.TIMEOUT
    settings.TIMEOUT = 1


def teardown_module(module):
    settings.TIMEOUT = _saved


def test_short_timeout():
    assert settings.TIMEOUT == 1
