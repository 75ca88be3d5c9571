from app.plugins import available


def test_only_builtin_plugins():
    assert available() == ["csv"]
