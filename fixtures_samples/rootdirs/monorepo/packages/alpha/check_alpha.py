import os


def setup():  # nose-style module setup: this is a test module under alpha's python_files
    os.environ["ALPHA_MODE"] = "1"  # expect: SLK301


class DescribeCache:
    def it_stores(self, cache):
        cache["key"] = 1  # expect: SLK201

    def helper(self, cache):
        cache["other"] = 2  # not a test under alpha's python_functions


class TestNotCollected:
    def it_clears(self, cache):
        cache.clear()  # not a test class under alpha's python_classes


def it_registers(registry):
    registry.append("alpha")  # the root conftest.py is above alpha's rootdir: pytest never loads it
