import os


def test_uses_app(app_env):
    assert os.environ["APP_MODE"] == "test"


def test_default_mode():
    assert os.environ.get("APP_MODE", "prod") == "prod"
