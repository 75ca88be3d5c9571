from app import config


def reset_all():
    config.reset_settings()
    config.clear_caches()
