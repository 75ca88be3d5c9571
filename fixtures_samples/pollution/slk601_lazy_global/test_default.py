from app.config import get_settings


def test_default_env_is_dev():
    assert get_settings().env == "dev"
