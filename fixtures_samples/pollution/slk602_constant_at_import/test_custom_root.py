import os
from unittest import mock


def test_custom_bin_root_is_used():
    with mock.patch.dict(os.environ, {"BIN_ROOT": "/opt/bin"}):
        from app.constants import BIN_ROOT
    assert BIN_ROOT.endswith("bin")
