from appcfg import settings


def test_custom_port():
    settings.PORT = 1
    assert settings.url() == "http://localhost:1"
