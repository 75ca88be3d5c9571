import pytest

from app.core import Index, Keyring, keyring
from app.linehaul import user_agent_data


def test_classmethod_cache(monkeypatch):
    monkeypatch.setenv("APP_KEYRING", "off")
    assert not Keyring.is_available()  # expect: SLK601


def test_staticmethod_cache(monkeypatch):
    monkeypatch.setenv("APP_KEYRING_BACKEND", "memory")
    assert Keyring.backend_name() == "memory"  # expect: SLK601


def test_method_cache_of_a_module_level_instance(monkeypatch):
    monkeypatch.setenv("APP_TOKEN", "t-")
    assert keyring.token("u") == "t-u"  # expect: SLK601


def test_cached_property_of_a_module_level_instance(monkeypatch):
    monkeypatch.setenv("APP_TOKEN", "t-")
    assert keyring.default_token == "t-"  # expect: SLK601


def test_through_a_property(monkeypatch):
    monkeypatch.setenv("CI", "true")
    index = Index("https://example.org")
    assert index.client["agent"]["ci"]  # expect: SLK601


def test_through_a_method_and_a_property(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert Index("https://example.org").headers()  # expect: SLK601


class TestUserAgent:
    def test_clear_before_the_patch(self, monkeypatch):
        user_agent_data.cache_clear()
        monkeypatch.setenv("CI", "true")
        assert Index("https://example.org").client["agent"]["ci"]  # expect: SLK601

    def test_clear_after_the_call(self, monkeypatch):
        monkeypatch.setenv("CI", "true")
        assert Index("https://example.org").client["agent"]["ci"]
        user_agent_data.cache_clear()


# silent ----------------------------------------------------------------------------------
def test_method_cache_of_the_tests_own_instance(monkeypatch):
    # lru_cache on a method keys on self: a fresh instance has entries of its own
    monkeypatch.setenv("APP_TOKEN", "t-")
    assert Keyring().token("u") == "t-u"


def test_cached_property_of_the_tests_own_instance(monkeypatch):
    monkeypatch.setenv("APP_TOKEN", "t-")
    own = Keyring()
    assert own.default_token == "t-"


def test_plain_attribute(monkeypatch):
    monkeypatch.setenv("CI", "true")
    index = Index("https://example.org")
    assert index.timeout == 5


def test_rebound_name(monkeypatch, other_index):
    monkeypatch.setenv("CI", "true")
    index = Index("https://example.org")
    index = other_index
    assert index.client


def test_unknown_decorator(monkeypatch):
    monkeypatch.setenv("APP_TOKEN", "t-")
    assert keyring.traced_token() == "t-"


def test_patched_out(monkeypatch, mocker):
    mocker.patch("app.core.Keyring.is_available", return_value=False)
    monkeypatch.setenv("APP_KEYRING", "off")
    assert not Keyring.is_available()


def test_cleared_after_the_call(monkeypatch):
    monkeypatch.setenv("APP_KEYRING", "off")
    assert not Keyring.is_available()
    Keyring.is_available.cache_clear()


class TestWithSetup:
    def setup_method(self):
        user_agent_data.cache_clear()

    def test_clear_in_the_test_too(self, monkeypatch):
        user_agent_data.cache_clear()
        monkeypatch.setenv("CI", "true")
        assert Index("https://example.org").client["agent"]["ci"]


@pytest.fixture
def other_index():
    return object()
