"""Containers created in setup_class are shared by every test of the class."""

import os


class TestBasics:
    @classmethod
    def setup_class(self):
        self.buf = []

    def test_append(self):
        self.buf.append(1)  # expect: SLK201

    def test_empty(self):
        assert self.buf == []


class TestPerMethod:
    def setup_method(self, method):
        self.buf = []
        self._home = os.environ.get("HOME")
        os.environ["HOME"] = "/tmp/home"

    def teardown_method(self, method):
        if self._home is not None:
            os.environ["HOME"] = self._home

    def test_append(self):
        self.buf.append(1)
        assert self.buf == [1]


class TestFunctionSetup:
    def setup_method(self):
        os.environ["DEBUG"] = "1"  # expect: SLK301

    def test_debug(self):
        assert os.environ["DEBUG"] == "1"
