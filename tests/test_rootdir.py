"""The project root is pytest's rootdir, and nothing outside it is ever read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sessionlint import rootdir
from sessionlint.config import Settings
from sessionlint.engine import Engine


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", ""),
        (".pytest.ini", "[pytest]\n"),
        ("pyproject.toml", "[tool.pytest.ini_options]\n"),
        ("tox.ini", "[pytest]\n"),
        ("setup.cfg", "[tool:pytest]\n"),
    ],
)
def test_an_ini_file_in_the_ancestor_or_above_is_the_root(tmp_path, name, text):
    write(tmp_path, {f"proj/{name}": text, "proj/tests/unit/test_a.py": "", "proj/tests/b/test_b.py": ""})
    args = [str(tmp_path / "proj/tests/unit/test_a.py"), str(tmp_path / "proj/tests/b")]
    assert rootdir.find_rootdir(args, invocation_dir="/") == str(tmp_path / "proj")


@pytest.mark.parametrize(
    ("name", "text"), [("tox.ini", "[tox]\n"), ("setup.cfg", "[metadata]\n"), ("README", "")]
)
def test_files_without_a_pytest_section_are_not_roots(tmp_path, name, text):
    write(tmp_path, {f"proj/{name}": text, "proj/tests/test_a.py": ""})
    assert rootdir.find_rootdir([str(tmp_path / "proj/tests")], invocation_dir="/") == str(tmp_path / "proj/tests")


def test_setup_py_counts_after_ini_files(tmp_path):
    write(tmp_path, {"setup.py": "", "proj/setup.py": "", "proj/tests/test_a.py": ""})
    assert rootdir.find_rootdir([str(tmp_path / "proj/tests")], invocation_dir="/") == str(tmp_path / "proj")
    write(tmp_path, {"pytest.ini": ""})
    rootdir._is_pytest_config.cache_clear()
    assert rootdir.find_rootdir([str(tmp_path / "proj/tests")], invocation_dir="/") == str(tmp_path)


def test_without_anything_the_common_ancestor_with_the_invocation_directory(tmp_path):
    write(tmp_path, {"proj/a/test_a.py": "", "proj/b/test_b.py": ""})
    args = [str(tmp_path / "proj/a"), str(tmp_path / "proj/b/test_b.py")]
    assert rootdir.find_rootdir(args, invocation_dir="/") == str(tmp_path / "proj")
    assert rootdir.find_rootdir(args, invocation_dir=str(tmp_path)) == str(tmp_path)


def _project(root: Path) -> None:
    write(
        root,
        {
            "conftest.py": (
                "import pytest\n\npytest_plugins = ['helpers.fixtures']\n\n\n"
                "@pytest.fixture(scope='session')\ndef shared_config():\n    return {'users': []}\n"
            ),
            "helpers/__init__.py": "",
            "helpers/fixtures.py": (
                "import pytest\n\n\n@pytest.fixture(scope='module')\ndef registry():\n    return []\n"
            ),
            "tests/test_users.py": "def test_create_user(shared_config, registry):\n    shared_config['users'].append(1)\n",
            "tests/test_more.py": "def test_more(registry):\n    registry.append(1)\n",
        },
    )


def _run(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sessionlint", "--no-cache", "."],
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_project_without_markers_finishes_quickly_and_as_with_one(tmp_path):
    _project(tmp_path / "bare")
    bare = _run(tmp_path / "bare")
    _project(tmp_path / "marked")
    write(tmp_path / "marked", {"pyproject.toml": "[project]\nname = 'x'\n"})
    marked = _run(tmp_path / "marked")
    assert bare.returncode == marked.returncode == 1, bare.stderr
    assert bare.stdout == marked.stdout
    assert "SLK201" in bare.stdout


def test_nothing_outside_the_root_is_read(tmp_path, monkeypatch):
    _project(tmp_path / "proj")
    write(tmp_path, {"outside/test_other.py": "def test_x(registry):\n    registry.append(1)\n"})
    monkeypatch.chdir(tmp_path / "proj")
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path="."):
        listed.append(os.path.abspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = Engine(Settings(root=str(tmp_path / "proj"))).lint(["."])
    assert result.diagnostics
    package = os.path.dirname(rootdir.__file__)  # sessionlint finding its own rule families
    outside = [p for p in listed if not rootdir.is_within(p, str(tmp_path / "proj")) and not p.startswith(package)]
    assert outside == []
