from app import settings, views


def test_debug_page_shows_traceback():
    settings.DEBUG = True
    assert views.error_page(ValueError("boom")).startswith("Traceback")
