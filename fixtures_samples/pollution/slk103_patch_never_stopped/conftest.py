from unittest import mock

import pytest


@pytest.fixture
def beta_enabled():
    """Turn every feature flag on for the test."""
    patcher = mock.patch("features.enabled", return_value=True)
    patcher.start()
    yield
