import os

import pytest


@pytest.fixture(autouse=True)
def clean_environ():
    """Every test starts from, and leaves, the same environment."""
    original = os.environ.copy()
    yield
    os.environ.clear()
    os.environ.update(original)


@pytest.fixture
def in_tmp_dir(tmp_path):
    old = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)
