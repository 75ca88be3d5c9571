import os


def setup_function(function):
    os.environ["FEATURE"] = "on"


def teardown_function(function):
    os.environ.pop("FEATURE", None)


def test_feature():
    assert os.environ["FEATURE"] == "on"
