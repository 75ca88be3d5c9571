"""What pytest collects: python_classes/python_functions, unittest classes across files, xunit setups."""

from __future__ import annotations

from pathlib import Path

from helpers import found, write
from sessionlint.cli import main
from sessionlint.collection import name_matches
from sessionlint.config import load


def _write(root: Path, files: dict[str, str]) -> Path:
    write(root, files)
    (root / "pyproject.toml").touch()
    return root


def test_name_matches_prefixes_and_globs() -> None:
    assert name_matches("TestX", ("Test",))
    assert name_matches("MyChecks", ("*Checks",))
    assert not name_matches("Helper", ("Test", "*Checks"))


def test_pytest_options_from_ini_files(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[pytest]\npython_classes = Check Spec\npython_functions = check_*\n")
    settings = load(str(tmp_path))[0]
    assert settings.python_classes == ("Check", "Spec")
    assert settings.python_functions == ("check_*",)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # pytest.ini wins, even empty
    assert load(str(tmp_path))[0].python_classes == ("Test",)


def test_base_class_that_is_no_testcase_is_not_collected(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "helpers.py": "class Mixin:\n    pass\n",
        "test_m.py": (
            "import os\nfrom helpers import Mixin\n\n\nclass Checks(Mixin):\n"
            "    def test_env(self):\n        os.environ['X'] = '1'\n"
        ),
    })  # fmt: skip
    assert found(root) == []


def test_base_class_across_two_files_is_a_testcase(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "support/__init__.py": "",
        "support/base.py": "import unittest\n\n\nclass Base(unittest.TestCase):\n    pass\n",
        "support/more.py": "from .base import Base\n\n\nclass More(Base):\n    pass\n",
        "test_m.py": (
            "import os\nfrom support.more import More\n\n\nclass Checks(More):\n"
            "    def test_env(self):\n        os.environ['X'] = '1'\n"
        ),
    })  # fmt: skip
    assert found(root) == [("test_m.py", 7, "SLK301")]


def test_session_autouse_in_the_only_test_directory_is_silent(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "tests/conftest.py": (
            "import os\nimport pytest\n\n\n@pytest.fixture(scope='session', autouse=True)\n"
            "def env():\n    os.environ['X'] = '1'\n"
        ),
        "tests/test_a.py": "def test_a():\n    pass\n",
    })  # fmt: skip
    assert found(root) == []


def test_setup_class_container_rebound_in_setup_method_is_fresh(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "test_c.py": (
            "class TestC:\n    @classmethod\n    def setup_class(cls):\n        cls.buf = []\n\n"
            "    def setup_method(self):\n        self.buf = []\n\n"
            "    def test_a(self):\n        self.buf.append(1)\n"
        ),
    })  # fmt: skip
    assert found(root) == []


def test_unittest_fix_registers_cleanup_and_settles(tmp_path: Path, capsys) -> None:
    root = _write(tmp_path, {
        "test_u.py": (
            "import os\nimport unittest\n\n\nclass Case(unittest.TestCase):\n"
            "    def test_a(self):\n        os.environ['LANG'] = 'C'\n"
        ),
    })  # fmt: skip
    assert main(["--fix", "--exit-non-zero-on-fix", "--no-cache", "-q", str(root)]) == 1  # rewritten
    text = (root / "test_u.py").read_text()
    assert 'self.addCleanup(os.environ.pop, "LANG", None)' in text
    assert main(["--fix", "--no-cache", "-q", str(root)]) == 0
    assert (root / "test_u.py").read_text() == text


def test_class_shared_and_setup_findings_carry_structured_fields(tmp_path: Path) -> None:
    """The guard matches on these fields: SLK201's fixture is ``Class.attr``; SLK301 names the setup."""
    from helpers import lint

    root = _write(tmp_path, {
        "test_cart.py": (
            "import os\n\n\ndef setup_module():\n    os.environ['MODE'] = 'x'\n\n\n"
            "class TestCart:\n    @classmethod\n    def setup_class(cls):\n        cls.items = []\n\n"
            "    def test_add(self):\n        self.items.append(1)\n"
        ),
    })  # fmt: skip
    diags = {d.code: d for d in lint(root).diagnostics}
    shared = diags["SLK201"]
    assert (shared.fixture, shared.scope, shared.owner, shared.owner_kind) == (
        "TestCart.items", "class", "TestCart.test_add", "test",
    )
    assert shared.defined.endswith("test_cart.py:11") and shared.fix_title
    setup = diags["SLK301"]
    assert (setup.owner, setup.owner_kind, setup.scope, setup.target, setup.target_key) == (
        "setup_module", "setup", "module", "env", "MODE",
    )
    assert setup.message.startswith("setup_module() ") and "teardown_module()" in setup.fix_title
