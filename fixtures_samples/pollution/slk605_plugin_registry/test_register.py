from app.plugins import available, register


def test_custom_plugin():
    register("dummy", object)
    assert "dummy" in available()
