import pytest


class TestCart:
    @pytest.fixture(scope="class")
    def cart(self):
        return []  # noqa: SLK101 - the test below is what leaks

    def test_add_item(self, cart):
        basket = cart
        basket.append("apple")
        assert basket == ["apple"]

    def test_starts_empty(self, cart):
        assert cart == []
