"""A sub-directory with its own pytest configuration is the rootdir of the tests under it, as when
pytest is run from there: its python_files/python_classes/python_functions, its conftest chain
(conftests above it, or above its --confcutdir, do not apply) and its module search."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import expected, write
from sessionlint.cli import main

MONOREPO = Path(__file__).resolve().parent.parent / "fixtures_samples" / "rootdirs" / "monorepo"

SESSION_FIXTURE = 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef {name}():\n    return []\n'


def findings(capsys, *argv: str) -> set[tuple[str, int, str]]:
    """(absolute path, line, code) of every finding of ``sessionlint --no-cache --format json ARGV``."""
    status = main(["--no-cache", "--format", "json", *argv])
    out, err = capsys.readouterr()
    assert status in (0, 1), err
    return {(d["filename"], d["line"], d["code"]) for d in json.loads(out)}


def relative(found: set[tuple[str, int, str]], root: Path) -> list[tuple[str, int, str]]:
    return sorted((str(Path(path).relative_to(root)), line, code) for path, line, code in found)


def under(found: set[tuple[str, int, str]], directory: Path) -> set[tuple[str, int, str]]:
    return {item for item in found if Path(item[0]).is_relative_to(directory)}


# the golden monorepo: outer and inner runs agree -------------------------------------------------
@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    root = tmp_path / "monorepo"
    shutil.copytree(MONOREPO, root)
    return root


def test_the_monorepo_reports_what_its_marks_say(monorepo, capsys, monkeypatch):
    monkeypatch.chdir(monorepo)
    assert relative(findings(capsys, "."), monorepo) == expected(monorepo)


@pytest.mark.parametrize("inner", ["packages/alpha", "docs"])
def test_a_run_inside_a_sub_rootdir_reports_what_the_outer_run_reports_there(monorepo, capsys, monkeypatch, inner):
    monkeypatch.chdir(monorepo)
    outer = findings(capsys, ".")
    directory = monorepo / inner
    assert under(outer, directory), "the sample has findings in every sub-rootdir"
    assert findings(capsys, inner) == under(outer, directory)
    monkeypatch.chdir(directory)
    assert findings(capsys, ".") == under(outer, directory)


def test_without_the_inner_configurations_the_outer_rules_would_apply(monorepo, capsys, monkeypatch):
    """--isolated reads no pytest configuration: every file is the run's, and the sample's silent lines speak."""
    monkeypatch.chdir(monorepo)
    isolated = relative(findings(capsys, "--isolated", "."), monorepo)
    assert ("packages/alpha/test_not_a_test.py", 5, "SLK301") in isolated  # nose setup() of a test module
    assert ("packages/alpha/test_not_a_test.py", 9, "SLK201") in isolated
    assert ("docs/examples/test_examples.py", 8, "SLK201") in isolated  # docs/conftest.py applies
    assert ("docs/examples/test_examples.py", 9, "SLK201") in isolated  # and so does the root conftest.py


def test_rootdirs_that_analyse_alike_share_one_cache(monorepo, capsys, monkeypatch, tmp_path):
    """Three rootdirs (root, docs, alpha), two analysis digests (alpha's python_* differ): two caches
    are loaded, not one per rootdir, and a warm run reports what the cold one did."""
    import sessionlint.cli
    from sessionlint.engine import Cache

    loaded: list[str] = []

    class Counted(Cache):
        def __init__(self, directory, settings):
            super().__init__(directory, settings)
            loaded.append(self.name)

    monkeypatch.setattr(sessionlint.cli, "Cache", Counted)
    monkeypatch.chdir(monorepo)
    cache = tmp_path / "cache"

    def run() -> str:
        main(["--cache-dir", str(cache), "--format", "json", "."])
        return capsys.readouterr().out

    cold = run()
    assert len(loaded) == len(set(loaded)) == 2
    assert sorted(p.name for p in cache.glob("facts-*.pickle")) == sorted(loaded)
    assert run() == cold


def test_pytest_run_in_the_sub_rootdirs_agrees(monorepo):
    """The sample's claims, checked against pytest itself: run from the sub-directory, the root
    conftest.py (and a conftest above --confcutdir) are not loaded, and alpha's options collect."""
    def run(cwd: Path) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
             "-p", "no:sessionlint", "-rA"],
            cwd=cwd, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return proc.stdout

    alpha = run(monorepo / "packages" / "alpha")
    assert "fixture 'registry' not found" in alpha
    assert "PASSED check_alpha.py::DescribeCache::it_stores" in alpha
    assert "test_not_a_test.py" not in alpha and "TestNotCollected" not in alpha
    docs = run(monorepo / "docs")
    assert "fixture 'pages' not found" in docs
    assert "PASSED examples/test_examples.py::test_snippets" in docs


def test_the_order_of_file_arguments_does_not_matter(monorepo, capsys, monkeypatch):
    """pre-commit passes files in any order; pytest's rootdir of the arguments is the first one's
    configuration, but each file keeps its own rootdir."""
    monkeypatch.chdir(monorepo)
    files = ["packages/alpha/check_alpha.py", "test_root.py", "docs/examples/test_examples.py"]
    first = findings(capsys, *files)
    assert first == findings(capsys, *reversed(files))
    assert first == {f for f in findings(capsys, ".") if str(Path(f[0]).relative_to(monorepo)) in files}


# python_files / python_classes / python_functions of the inner configuration -------------------------
INNER_CONFIGS = {
    "pytest.ini": "[pytest]\npython_files = check_*.py\npython_functions = check_\n",
    ".pytest.ini": "[pytest]\npython_files = check_*.py\npython_functions = check_\n",
    "pytest.toml": '[pytest]\npython_files = ["check_*.py"]\npython_functions = ["check_"]\n',
    "pyproject.toml": '[tool.pytest.ini_options]\npython_files = "check_*.py"\npython_functions = "check_"\n',
    "tox.ini": "[tox]\nenvlist = py\n\n[pytest]\npython_files = check_*.py\npython_functions = check_\n",
    "setup.cfg": "[metadata]\nname = sub\n\n[tool:pytest]\npython_files = check_*.py\npython_functions = check_\n",
}
MUTATES = "def {func}(box):\n    box.append(1)\n"


@pytest.mark.parametrize("name", sorted(INNER_CONFIGS))
def test_the_inner_configuration_decides_what_is_a_test(tmp_path, capsys, monkeypatch, name):
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "sub/" + name: INNER_CONFIGS[name],
        "sub/conftest.py": SESSION_FIXTURE.format(name="box"),
        "sub/check_inner.py": MUTATES.format(func="check_it") + "\n\n" + MUTATES.format(func="test_it"),
        "sub/test_inner.py": MUTATES.format(func="test_it"),
        "test_outer.py": "from sub.conftest import box\n\n\n" + MUTATES.format(func="test_it"),
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    found = relative(findings(capsys, "."), tmp_path)
    assert [f for f in found if f[2] == "SLK201"] == [("sub/check_inner.py", 2, "SLK201"), ("test_outer.py", 5, "SLK201")]
    status = main(["--no-cache", "--show-settings", "sub/check_inner.py"])
    out = capsys.readouterr().out
    assert status == 0
    assert f'rootdir = "{tmp_path / "sub"}"' in out.splitlines()
    assert 'python-files = ["check_*.py"]' in out.splitlines() and "test-file = true" in out.splitlines()


def test_inner_python_classes(tmp_path, capsys, monkeypatch):
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "sub/pyproject.toml": '[tool.pytest.ini_options]\npython_classes = ["Describe"]\n',
        "sub/conftest.py": SESSION_FIXTURE.format(name="box"),
        "sub/test_classes.py": (
            "class DescribeBox:\n    def test_a(self, box):\n        box.append(1)\n\n\n"
            "class TestBox:\n    def test_b(self, box):\n        box.append(1)\n"
        ),
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert ("sub/test_classes.py", 3, "SLK201") in relative(findings(capsys, "."), tmp_path)
    assert ("sub/test_classes.py", 7, "SLK201") not in relative(findings(capsys, "."), tmp_path)


def test_the_cache_keeps_inner_collection_options_apart(tmp_path, capsys, monkeypatch):
    """Facts depend on python_functions: editing the inner ini re-reads the files it governs."""
    write(tmp_path / "proj", {
        "pytest.ini": "[pytest]\n",
        "sub/pytest.ini": "[pytest]\npython_functions = check_\n",
        "sub/conftest.py": SESSION_FIXTURE.format(name="box"),
        "sub/test_inner.py": MUTATES.format(func="check_it") + "\n\n" + MUTATES.format(func="test_it"),
    })  # fmt: skip
    monkeypatch.chdir(tmp_path / "proj")
    cache = ["--cache-dir", str(tmp_path / "cache")]

    def run() -> list[int]:
        main([*cache, "--format", "json", "."])
        return sorted(d["line"] for d in json.loads(capsys.readouterr().out) if d["code"] == "SLK201")

    assert run() == [2]
    assert run() == [2]  # warm
    (tmp_path / "proj" / "sub" / "pytest.ini").write_text("[pytest]\n")
    assert run() == [6]


# the conftest chain ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("inner", "visible"),
    [
        ({"sub/pytest.ini": "[pytest]\n"}, False),
        ({"sub/setup.cfg": "[tool:pytest]\naddopts = -ra\n"}, False),
        ({}, True),  # a plain sub-directory: the root conftest.py applies
        ({"sub/pyproject.toml": "[project]\nname = 'sub'\n"}, True),  # no pytest table: not a configuration
        ({"sub/tox.ini": "[tox]\nenvlist = py\n"}, True),
    ],
)
def test_a_root_conftest_fixture_is_visible_below_only_without_an_inner_configuration(
    tmp_path, capsys, monkeypatch, inner, visible
):
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "conftest.py": SESSION_FIXTURE.format(name="shared"),
        "sub/test_inner.py": MUTATES.format(func="test_it").replace("box", "shared"),
        **inner,
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    found = relative(findings(capsys, "."), tmp_path)
    assert (("sub/test_inner.py", 2, "SLK201") in found) is visible
    assert ("conftest.py", 6, "SLK101") in found
    monkeypatch.chdir(tmp_path / "sub")
    assert (("test_inner.py", 2, "SLK201") in relative(findings(capsys, "."), tmp_path / "sub")) is visible


@pytest.mark.parametrize("addopts", ["--confcutdir=tests", "-ra --confcutdir tests", "--confcutdir=./tests/"])
def test_confcutdir_in_addopts_cuts_the_conftest_chain(tmp_path, capsys, monkeypatch, addopts):
    write(tmp_path, {
        "pytest.ini": f"[pytest]\naddopts = {addopts}\n",
        "conftest.py": SESSION_FIXTURE.format(name="above"),  # above --confcutdir: never loaded
        "tests/conftest.py": SESSION_FIXTURE.format(name="inside"),
        "tests/test_a.py": "def test_a(above, inside):\n    above.append(1)\n    inside.append(1)\n",
        "other/conftest.py": SESSION_FIXTURE.format(name="beside"),  # not an ancestor of it: loaded
        "other/test_b.py": "def test_b(above, beside):\n    above.append(1)\n    beside.append(1)\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    found = [f for f in relative(findings(capsys, "."), tmp_path) if f[2] == "SLK201"]
    assert found == [("other/test_b.py", 3, "SLK201"), ("tests/test_a.py", 3, "SLK201")]


def test_confcutdir_outside_the_rootdir_and_rootdir_in_addopts_change_nothing(tmp_path, capsys, monkeypatch):
    """pytest determines the rootdir (and finds the ini file) before it reads ``addopts``, so
    ``--rootdir`` there changes nothing; a --confcutdir above the rootdir reads nothing above it."""
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "conftest.py": SESSION_FIXTURE.format(name="shared"),
        "sub/pytest.ini": "[pytest]\naddopts = --rootdir=.. --confcutdir=..\n",
        "sub/test_inner.py": MUTATES.format(func="test_it").replace("box", "shared"),
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert ("sub/test_inner.py", 2, "SLK201") not in relative(findings(capsys, "."), tmp_path)


def test_a_fixture_module_inside_a_sub_rootdir_used_only_from_outside_is_reported(tmp_path, capsys, monkeypatch):
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "sub/pytest.ini": "[pytest]\n",
        "sub/__init__.py": "",
        "sub/helpers.py": SESSION_FIXTURE.format(name="data"),
        "sub/test_sub.py": "def test_sub():\n    pass\n",
        "test_top.py": "from sub.helpers import data\n\n\ndef test_top(data):\n    data.append(1)\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    found = relative(findings(capsys, "."), tmp_path)
    assert found == [("sub/helpers.py", 6, "SLK101"), ("test_top.py", 5, "SLK201")]


# module search ------------------------------------------------------------------------------------------
BASE = "import unittest\n\n\nclass Base(unittest.TestCase):\n    pass\n"
ENV_CASE = (
    "import os\n\nfrom common import Base\n\n\n"
    "class EnvCase(Base):\n    def test_env(self):\n        os.environ['MODE'] = '1'\n"
)


@pytest.mark.parametrize(
    ("files", "reported"),
    [
        ({"sub/pytest.ini": "[pytest]\n"}, False),  # common.py lies above sub's rootdir: not importable
        ({"sub/pytest.ini": "[pytest]\n", "sub/common.py": BASE}, True),
        ({}, True),  # one rootdir: the root's common.py is found
    ],
)
def test_modules_are_searched_from_the_files_own_rootdir(tmp_path, capsys, monkeypatch, files, reported):
    write(tmp_path, {"pytest.ini": "[pytest]\n", "common.py": BASE, "sub/test_env.py": ENV_CASE, **files})
    monkeypatch.chdir(tmp_path)
    found = relative(findings(capsys, "."), tmp_path)
    assert (("sub/test_env.py", 8, "SLK301") in found) is reported


@pytest.mark.parametrize(
    ("config", "reported"),
    [
        ("[pytest]\npythonpath = lib\n", True),
        ("[pytest]\npythonpath = lib/ ../outside\n", True),
        ("[pytest]\n", False),
        ("[pytest]\npythonpath = ../lib\n", False),  # outside the rootdir: nothing is read there
    ],
)
def test_pythonpath_of_the_rootdir_is_searched(tmp_path, capsys, monkeypatch, config, reported):
    write(tmp_path, {
        "lib/common.py": BASE,
        "sub/pytest.ini": config,
        "sub/lib/common.py": BASE,
        "sub/tests/test_env.py": ENV_CASE,
    })  # fmt: skip
    monkeypatch.chdir(tmp_path / "sub")
    found = relative(findings(capsys, "."), tmp_path / "sub")
    assert (("tests/test_env.py", 8, "SLK301") in found) is reported


# nose-style module setup()/teardown() ---------------------------------------------------------------
NOSE = "import os\n\n\ndef setup():\n    os.environ['MODE'] = '1'\n\n\ndef test_mode():\n    assert os.environ['MODE']\n"


def test_nose_module_setup_counts_only_in_a_test_module(tmp_path, capsys, monkeypatch):
    write(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "test_nose.py": NOSE,
        "test_restored.py": NOSE + "\n\ndef teardown():\n    del os.environ['MODE']\n",
        "helpers.py": NOSE,  # not a test module: setup() is an ordinary function
        "conftest.py": NOSE.replace("def test_mode", "def check_mode"),
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    found = relative(findings(capsys, ".", "helpers.py"), tmp_path)
    assert found == [("test_nose.py", 5, "SLK301")]
    # python_files decides what a test module is
    (tmp_path / "pytest.ini").write_text("[pytest]\npython_files = check_*.py\n")
    (tmp_path / "check_nose.py").write_text(NOSE)
    assert relative(findings(capsys, ".", "test_nose.py"), tmp_path) == [("check_nose.py", 5, "SLK301")]


# the flake8 face --------------------------------------------------------------------------------------
def test_flake8_reports_what_the_cli_reports_in_the_monorepo(monorepo, capsys, monkeypatch):
    monkeypatch.chdir(monorepo)
    cli = {(str(Path(p).relative_to(monorepo)), line, code) for p, line, code in findings(capsys, ".")}
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "SLK", "--format", "%(path)s:%(row)d:%(code)s", "."],
        cwd=monorepo, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    found = set()
    for line in proc.stdout.splitlines():
        path, row, code = line.rsplit(":", 2)
        found.add((str(Path(path)), int(row), code))
    assert found == cli
