"""Restores made by a method of the test's class, called in tearDown or finally."""

import os
import unittest


class TestEnv(unittest.TestCase):
    def clearEnv(self):
        for name in ("APP_A", "APP_B"):
            os.environ.pop(name, None)

    def tearDown(self):
        self.clearEnv()

    def test_a(self):
        os.environ["APP_A"] = "1"


class TestFinally:
    def reset(self):
        os.environ.pop("APP_C", None)

    def other(self):
        return 1

    def test_c(self):
        os.environ["APP_C"] = "1"
        try:
            assert True
        finally:
            self.reset()

    def test_d(self):
        os.environ["APP_D"] = "1"  # expect: SLK301
        try:
            assert True
        finally:
            self.other()
