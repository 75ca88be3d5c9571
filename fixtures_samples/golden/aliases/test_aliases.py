import pytest


def test_registry(registry):
    registry["a"] = 1  # expect: SLK201


def test_queue(queue):
    queue.append(1)  # expect: SLK201


class TestWithClassFixture:
    @pytest.fixture(scope="class")
    @classmethod
    def shared(cls):
        return []  # expect: SLK101

    def test_it(self, shared):
        shared.append(1)  # expect: SLK201


def test_outside_class_is_unresolved(shared):
    shared.append(1)
