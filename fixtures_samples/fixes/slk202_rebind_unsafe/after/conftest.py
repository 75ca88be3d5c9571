import copy
import pytest


class Settings:
    debug = False


@pytest.fixture(scope="session")
def settings():
    return Settings()  # noqa: SLK101


@pytest.fixture
def debug_settings(settings):
    settings = copy.deepcopy(settings)
    settings.debug = True
    return settings
