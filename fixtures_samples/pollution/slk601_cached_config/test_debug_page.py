from app.settings import render_page


def test_debug_page_renders(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert render_page().startswith("<page")
