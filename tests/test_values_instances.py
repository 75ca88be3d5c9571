"""SLK101 on instances of first-party classes: mutable once a test writes an attribute or item of one."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import lint, write_project
from sessionlint.config import Settings

CLASSES = '''
import enum
from dataclasses import dataclass

import attr


class Plain:
    def __init__(self):
        self.flag = False


@attr.s(frozen=True)
class FrozenAttrs:
    flag = attr.ib(default=False)


class Color(enum.Enum):
    RED = 1


@dataclass
class Mutable:
    flag: bool = False
'''


def slk101(root: Path) -> list[str]:
    result = lint(root, Settings(root=str(root), select=("SLK101",)))
    assert not result.errors, result.errors
    return sorted(d.fixture for d in result.diagnostics)


@pytest.mark.parametrize(
    ("cls", "write_stmt", "reported"),
    [
        ("Plain", "value.flag = True", True),
        ("Plain", "value.items['k'] = 1", True),
        ("Plain", "value.count += 1", True),
        ("Plain", "del value.flag", True),
        ("Plain", "assert not value.flag", False),
        ("Mutable", "value.flag = True", True),
        ("FrozenAttrs", "value.flag = True", False),
        ("Color", "value.flag = True", False),
    ],
)
def test_written_instances_of_project_classes(tmp_path: Path, cls: str, write_stmt: str, reported: bool) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": CLASSES,
        "tests/conftest.py": f"""
            import pytest

            from app import models


            @pytest.fixture(scope="module")
            def value():
                return models.{cls}()
        """,
        "tests/test_a.py": f"""
            def test_a(value):
                {write_stmt}
        """,
    })  # fmt: skip
    assert slk101(root) == (["value"] if reported else [])


def test_class_outside_the_project_is_not_judged(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "conftest.py": """
            import pytest
            from argparse import Namespace


            @pytest.fixture(scope="session")
            def ns():
                return Namespace()
        """,
        "test_a.py": """
            def test_a(ns):
                ns.flag = True
        """,
    })  # fmt: skip
    assert slk101(root) == []


def test_function_scoped_fixture_is_fresh_per_test(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "conftest.py": """
            import pytest


            class Box:
                pass


            @pytest.fixture
            def box():
                return Box()
        """,
        "test_a.py": """
            def test_a(box):
                box.flag = True
        """,
    })  # fmt: skip
    assert slk101(root) == []


# SLK102: an object imported from another module ---------------------------------------------------
@pytest.mark.parametrize(
    ("binding", "reported"),
    [
        ("VALUE = 8888", False),
        ("VALUE = 'http://' + 'host'", False),
        ("VALUE = f'{__name__}-x'", False),
        ("import pathlib\nVALUE = pathlib.Path(__file__).parent / 'data'", False),
        ("VALUE = object()", False),
        ("VALUE = (1, 'a')", False),
        ("VALUE = {'debug': False}", True),
        ("VALUE = []", True),
        ("VALUE = (1, [])", True),
        ("VALUE = [1] + [2]", True),
        ("class C:\n    pass\nVALUE = C()", True),
    ],
)
def test_imported_object_is_state_unless_the_module_binds_a_constant(tmp_path: Path, binding: str, reported: bool) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "consts.py").write_text(binding + "\n")
    (tmp_path / "test_x.py").write_text(
        "import pytest\nfrom consts import VALUE\n\n\n@pytest.fixture\ndef value():\n    return VALUE\n\n\n"
        "def test_v(value):\n    assert value\n"
    )
    result = lint(tmp_path)
    assert bool([d for d in result.diagnostics if d.code == "SLK102"]) is reported


@pytest.mark.parametrize(("name", "reported"), [("DEFAULT_PORT", False), ("registry", True)])
def test_imported_object_outside_the_project(tmp_path: Path, name: str, reported: bool) -> None:
    """The defining module cannot be read: a name spelled as a constant is taken for one."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "test_x.py").write_text(
        f"import pytest\nfrom third_party_lib import {name}\n\n\n@pytest.fixture\ndef value():\n    return {name}\n"
    )
    result = lint(tmp_path)
    assert bool([d for d in result.diagnostics if d.code == "SLK102"]) is reported
