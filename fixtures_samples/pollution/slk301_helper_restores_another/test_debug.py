from app import config


def test_debug_page():
    config.DEBUG = True
    try:
        assert config.error_page(ValueError("x")).startswith("Traceback")
    finally:
        config.reset_timeout()  # puts TIMEOUT back, not DEBUG
