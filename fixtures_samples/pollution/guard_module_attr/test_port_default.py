from appcfg import settings


def test_default_port():
    assert settings.url() == "http://localhost:8000"
