"""xunit-style module setup with no teardown: the write outlives this module."""

import settings


def setup_module():
    settings.USE_INTERNET = False  # expect: SLK301


def test_offline():
    assert settings.USE_INTERNET is False
