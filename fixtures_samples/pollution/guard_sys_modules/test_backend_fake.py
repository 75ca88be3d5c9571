import sys
import types


def test_with_fake_backend():
    sys.modules["jsonbackend"] = types.SimpleNamespace(NAME="fake")
    import jsonbackend

    assert jsonbackend.NAME == "fake"
