from app.settings import get_config


def test_debug_is_off_by_default():
    assert get_config()["debug"] is False
