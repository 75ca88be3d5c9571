import os
import sys

import pytest


def test_env_is_restored_by_autouse_fixture():
    os.environ["HTTP_PROXY"] = "http://127.0.0.1"


def test_cwd_is_restored_by_requested_fixture(in_tmp_dir):
    os.chdir(in_tmp_dir / "..")


@pytest.mark.usefixtures("in_tmp_dir")
def test_cwd_is_restored_by_usefixtures(tmp_path):
    os.chdir(tmp_path)


def test_path_is_not_restored(tmp_path):
    sys.path.insert(0, str(tmp_path))  # expect: SLK301


def test_pytester_restores_path(pytester):
    sys.path.insert(0, str(pytester.path))
