import pytest
from app.events import EventBus


@pytest.fixture
def bus():
    return EventBus()  # a fresh bus per test, but the handlers live on the class
