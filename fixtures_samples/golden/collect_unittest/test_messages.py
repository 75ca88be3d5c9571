"""unittest classes are collected whatever their names; their state is read as pytest runs it."""

import os
import unittest
from unittest import mock

from base import ProjectCase


class MessageFactoryTestCase(unittest.TestCase):
    def test_format_time(self):
        os.environ["LANG"] = "fa"  # expect: SLK301
        self.assertTrue(os.environ["LANG"])

    def test_restored_with_cleanup(self):
        os.environ["LC_ALL"] = "C"
        self.addCleanup(os.environ.pop, "LC_ALL")

    @mock.patch.dict(os.environ, {"TZ": "UTC"})
    def test_patched(self):
        os.environ["TZ"] = "Asia/Tehran"


class FreshStateCase(unittest.TestCase):
    def setUp(self):
        self.items = []

    def test_fresh_list(self):
        self.items.append(1)
        self.assertEqual(self.items, [1])


class SharedStateCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = {}

    def test_register(self):
        self.registry["a"] = 1  # expect: SLK201

    def test_registry_empty(self):
        self.assertEqual(self.registry, {})


class DerivedChecks(ProjectCase):
    def test_proxy(self):
        os.environ["HTTP_PROXY"] = "http://proxy:3128"  # expect: SLK301


class EnvironCase(unittest.TestCase):
    def setUp(self):
        os.environ["APP_MODE"] = "test"  # expect: SLK301

    def test_mode(self):
        self.assertEqual(os.environ["APP_MODE"], "test")


class RestoredEnvironCase(unittest.TestCase):
    def setUp(self):
        self._old = os.environ.get("APP_MODE")
        os.environ["APP_MODE"] = "test"

    def tearDown(self):
        if self._old is None:
            os.environ.pop("APP_MODE", None)
        else:
            os.environ["APP_MODE"] = self._old

    def test_mode(self):
        self.assertEqual(os.environ["APP_MODE"], "test")


class Helper:
    """Not a TestCase and not named Test*: never collected, never a test."""

    def test_like_name(self):
        os.environ["NOT_A_TEST"] = "1"
