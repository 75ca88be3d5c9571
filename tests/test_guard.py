"""The runtime guard (``pytest --sessionlint-guard``), run for real through pytester."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
from collections.abc import Sequence
from typing import Any

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionlint._fingerprint import describe_changes, fingerprint, render
from sessionlint.guard import GuardFinding, ProcessState, process_changes

SEED_CONFTEST = """\
import pytest


@pytest.fixture(scope="session")
def shared_config():
    return {"database_url": "sqlite:///test.db", "users": []}
"""
SEED_TESTS = {
    "test_users": """\
def test_create_user(shared_config):
    shared_config["users"].append("alice")
    assert shared_config["users"] == ["alice"]
""",
    "test_orders": """\
def test_place_order(shared_config):
    assert shared_config["users"] == []
""",
}
SEED_LINE = (
    "test_users.py::test_create_user mutated session fixture 'shared_config' "
    "(conftest.py:5): ['users'] [] -> ['alice']"
)
SECTION = "sessionlint guard"


def run(pytester: pytest.Pytester, *args: str, randomly: bool = False) -> pytest.RunResult:
    """Run pytest in a subprocess (tests here leak env, cwd and sys.path on purpose)."""
    extra = () if randomly else ("-p", "no:randomly")
    return pytester.runpytest_subprocess(*extra, "-p", "no:cacheprovider", *args)


def guard_lines(result: pytest.RunResult) -> list[str]:
    """The lines of the "sessionlint guard" terminal section."""
    lines = result.outlines
    starts = [i for i, line in enumerate(lines) if line.startswith("=") and f" {SECTION} " in line]
    if not starts:
        return []
    section = []
    for line in lines[starts[-1] + 1:]:
        if line.startswith("="):
            break
        section.append(line)
    return section


NOTHING_FOUND = "no test changed shared state"


VERDICT_RE = re.compile(r" \[(?:predicted|not predicted) by sessionlint[^\]]*\]$")


def findings(result: pytest.RunResult) -> list[str]:
    """The finding lines, without the static-analysis verdict at their end."""
    lines = guard_lines(result)
    return [VERDICT_RE.sub("", line) for line in lines if not line.startswith("note: ") and line != NOTHING_FOUND]


def notes(result: pytest.RunResult) -> list[str]:
    return [line for line in guard_lines(result) if line.startswith("note: ")]


@pytest.fixture
def seed(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(SEED_CONFTEST)
    pytester.makepyfile(**SEED_TESTS)
    return pytester


# -- names the polluter ---------------------------------------------------------


def test_seed_example_names_polluter_and_fixture(seed: pytest.Pytester) -> None:
    result = run(seed, "--sessionlint-guard")
    result.assert_outcomes(passed=2)  # warn mode: outcomes and exit code unchanged
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["sessionlint guard: warn"])  # the report header
    assert findings(result) == [SEED_LINE]


def test_seed_example_says_the_linter_predicted_it(seed: pytest.Pytester) -> None:
    result = run(seed, "--sessionlint-guard")
    assert [line for line in guard_lines(result) if line.startswith("test_")] == [
        f"{SEED_LINE} [predicted by sessionlint SLK201 at test_users.py:2]"
    ]


def test_a_change_the_linter_missed_is_flagged_as_such(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture(scope='session')\ndef box():\n    return {'items': []}  # noqa: SLK101\n"
    )
    pytester.makepyfile(
        test_helper="def add(box):\n    box['items'].append(1)\n\n\ndef test_via_helper(box):\n    add(box)\n"
    )
    result = run(pytester, "--sessionlint-guard")
    [line] = [line for line in guard_lines(result) if line.startswith("test_")]
    assert line.endswith("[not predicted by sessionlint's static rules: please report this case]")


def test_seed_example_either_order(seed: pytest.Pytester) -> None:
    for order in (["test_users.py", "test_orders.py"], ["test_orders.py", "test_users.py"]):
        result = run(seed, "--sessionlint-guard", *order)
        assert findings(result) == [SEED_LINE], order


def test_attribute_change_on_module_scoped_dataclass_and_object(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_settings="""
        import dataclasses
        import pytest

        @dataclasses.dataclass
        class Settings:
            debug: bool = False
            tags: list = dataclasses.field(default_factory=list)

        class Plain:
            def __init__(self):
                self.retries = 3

        @pytest.fixture(scope="module")
        def settings():
            return Settings()

        @pytest.fixture(scope="module")
        def plain():
            return Plain()

        def test_debug_on(settings):
            settings.debug = True

        def test_tag(settings):
            settings.tags.append("x")

        def test_retries(plain):
            plain.retries = 0

        def test_reader(settings, plain):
            pass
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        ("test_settings.py::test_debug_on mutated module fixture 'settings' "
         "(test_settings.py:14): .debug False -> True"),
        ("test_settings.py::test_tag mutated module fixture 'settings' "
         "(test_settings.py:14): .tags [] -> ['x']"),
        ("test_settings.py::test_retries mutated module fixture 'plain' "
         "(test_settings.py:18): .retries 3 -> 0"),
    ]


def test_slots_and_nested_changes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_slots="""
        import pytest

        class Point:
            __slots__ = ("x", "y")
            def __init__(self):
                self.x, self.y = 0, 0

        @pytest.fixture(scope="session")
        def point():
            return Point()

        @pytest.fixture(scope="session")
        def registry():
            return {"groups": {"admins": [{"name": "root", "perms": ["all"]}]}}

        def test_move(point):
            point.y = 5

        def test_nested(registry):
            registry["groups"]["admins"][0]["perms"].remove("all")
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        "test_slots.py::test_move mutated session fixture 'point' (test_slots.py:9): .y 0 -> 5",
        ("test_slots.py::test_nested mutated session fixture 'registry' (test_slots.py:13): "
         "['groups']['admins'][0]['perms'] ['all'] -> []"),
    ]


def test_set_change(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_tags="""
        import pytest

        @pytest.fixture(scope="class")
        def tags():
            return {"a", "b"}

        class TestTags:
            @pytest.fixture(scope="class")
            def seen(self):
                return set()

            def test_add(self, tags, seen):
                tags.add("c")
                seen.discard("nothing")

            def test_read(self, tags, seen):
                seen.add(1)
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        ("test_tags.py::TestTags::test_add mutated class fixture 'tags' (test_tags.py:4): "
         "{'a', 'b'} -> {'a', 'b', 'c'}"),
        ("test_tags.py::TestTags::test_read mutated class fixture 'seen' (test_tags.py:9): "
         "set() -> {1}"),
    ]


def test_environment_variable_set_changed_removed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_settings="""
        import os

        def test_debug_on():
            os.environ["FEATURE_X"] = "1"

        def test_change():
            os.environ["FEATURE_X"] = "2"

        def test_remove():
            del os.environ["FEATURE_X"]
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        "test_settings.py::test_debug_on set environment variable 'FEATURE_X'",
        "test_settings.py::test_change changed environment variable 'FEATURE_X'",
        # test_remove puts the variable back as the run found it: a repair, not a leak
    ]


def test_sys_path_append(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_path="""
        import sys

        def test_extend_path():
            sys.path.append("/x")
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == ["test_path.py::test_extend_path changed sys.path: added '/x'"]


def test_chdir(pytester: pytest.Pytester) -> None:
    sub = pytester.mkdir("sub")
    pytester.makepyfile(
        test_cwd="""
        import os

        def test_move():
            os.chdir("sub")
        """
    )
    result = run(pytester, "--sessionlint-guard")
    here, there = os.path.realpath(pytester.path), os.path.realpath(sub)
    line = f"test_cwd.py::test_move changed working directory: {here} -> {there}"
    assert findings(result) == [line]


def test_decorated_fixture_reports_def_line(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import functools
        import pytest


        def noop(func):
            return functools.wraps(func)(lambda *a, **k: func(*a, **k))


        @pytest.fixture(
            scope="session",
        )
        @noop
        def cache():
            return []
        """
    )
    pytester.makepyfile(test_x="def test_fill(cache):\n    cache.append(1)\n")
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        "test_x.py::test_fill mutated session fixture 'cache' (conftest.py:13): [] -> [1]"
    ]


def test_fixture_requested_through_other_fixture_and_autouse(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def store():
            return {"rows": []}

        @pytest.fixture(scope="session", autouse=True)
        def counters():
            return {"calls": 0}

        @pytest.fixture
        def repo(store):
            return store
        """
    )
    pytester.makepyfile(
        test_repo="""
        def test_insert(repo):
            repo["rows"].append(1)

        def test_count(request):
            request.getfixturevalue("counters")["calls"] += 1
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        ("test_repo.py::test_insert mutated session fixture 'store' (conftest.py:4): "
         "['rows'] [] -> [1]"),
        ("test_repo.py::test_count mutated session fixture 'counters' (conftest.py:8): "
         "['calls'] 0 -> 1"),
    ]


def test_last_test_of_module_before_module_fixture_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_last="""
        import pytest

        @pytest.fixture(scope="module")
        def items():
            value = []
            yield value
            value.clear()  # the fixture's own teardown: not a test's doing

        def test_first(items):
            pass

        def test_last(items):
            items.append(1)
        """,
        test_next="def test_other():\n    pass\n",
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        "test_last.py::test_last mutated module fixture 'items' (test_last.py:4): [] -> [1]"
    ]


# -- silent on safe code ----------------------------------------------------------


SAFE_CONFTEST = """
import os
import pytest

@pytest.fixture(scope="session")
def shared_config():
    return {"database_url": "sqlite:///test.db", "users": [], "nested": {"a": [1]}}

@pytest.fixture(scope="module")
def frozen():
    return (1, (2, 3), frozenset({4}), "text", b"bytes", None)

@pytest.fixture
def fresh():
    return {"users": []}

@pytest.fixture(scope="session")
def settings():
    class Settings:
        debug = False
    return Settings()

@pytest.fixture
def feature_on(monkeypatch, tmp_path):
    monkeypatch.setenv("FEATURE_Y", "1")
    monkeypatch.syspath_prepend(str(tmp_path))
"""
SAFE_TESTS = """
import copy
import os
import sys

def test_copy_dict(shared_config):
    mine = dict(shared_config)
    mine["users"] = ["alice"]

def test_deepcopy(shared_config):
    mine = copy.deepcopy(shared_config)
    mine["users"].append("alice")
    mine["nested"]["a"].append(2)

def test_unpack(shared_config):
    mine = {**shared_config, "users": []}
    mine["users"].append("bob")

def test_monkeypatch(monkeypatch, tmp_path, settings, shared_config):
    monkeypatch.setenv("FEATURE_X", "1")
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "debug", True)
    monkeypatch.setitem(shared_config, "database_url", "sqlite://")

def test_function_scoped(fresh):
    fresh["users"].append("alice")

def test_immutables(frozen):
    assert frozen[1] == (2, 3)

def test_restores_by_hand():
    sys.path.append("/tmp/restored")
    try:
        pass
    finally:
        sys.path.remove("/tmp/restored")

def test_reads_only(shared_config):
    assert shared_config["users"] == []

def test_monkeypatch_in_fixture(feature_on):
    assert os.environ["FEATURE_Y"] == "1"
"""


def test_silent_on_safe_code(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(SAFE_CONFTEST)
    pytester.makepyfile(test_safe=SAFE_TESTS)
    result = run(pytester, "--sessionlint-guard")
    result.assert_outcomes(passed=9)
    assert guard_lines(result) == [NOTHING_FOUND]


def test_silent_on_safe_code_in_fail_mode(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(SAFE_CONFTEST)
    pytester.makepyfile(test_safe=SAFE_TESTS)
    result = run(pytester, "--sessionlint-guard=fail")
    result.assert_outcomes(passed=9)
    assert result.ret == pytest.ExitCode.OK


def test_function_fixture_restoring_in_teardown_is_silent(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_restore="""
        import os
        import pytest

        @pytest.fixture(scope="session")
        def config():
            return {"mode": "prod"}

        @pytest.fixture
        def debug_mode(config):
            config["mode"] = "debug"
            os.environ["DEBUG"] = "1"
            yield config
            config["mode"] = "prod"
            del os.environ["DEBUG"]

        def test_debug(debug_mode):
            assert debug_mode["mode"] == "debug"
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == []


def test_function_fixture_leak_is_charged_to_the_test_using_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_leak="""
        import os
        import pytest

        @pytest.fixture
        def debug_env():
            os.environ["LEAKED_DEBUG"] = "1"  # never restored

        def test_uses_it(debug_env):
            pass
        """
    )
    result = run(pytester, "--sessionlint-guard")
    line = "test_leak.py::test_uses_it set environment variable 'LEAKED_DEBUG'"
    assert findings(result) == [line]


# -- activation, modes, ini, reporting channels ----------------------------------------


def test_off_without_option(seed: pytest.Pytester) -> None:
    seed.makeconftest(SEED_CONFTEST + RECORDER)
    result = run(seed)
    assert SECTION not in result.stdout.str()
    result.assert_outcomes(passed=2)
    assert json.loads((seed.path / "guard.json").read_text()) == {
        "registered": False,
        "findings": [],
    }


def test_fail_mode_fails_polluter_only(seed: pytest.Pytester) -> None:
    result = run(seed, "--sessionlint-guard=fail")
    result.assert_outcomes(passed=2, errors=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_create_user*",
            "sessionlint guard: this test changed shared state",
            SEED_LINE,
        ]
    )
    result.stdout.fnmatch_lines(["ERROR test_users.py::test_create_user*"])
    assert "test_place_order" not in "\n".join(
        line for line in result.outlines if line.startswith(("ERROR", "FAILED"))
    )


def test_fail_mode_with_space_separated_value(seed: pytest.Pytester) -> None:
    result = run(seed, "--sessionlint-guard", "fail")
    result.assert_outcomes(passed=2, errors=1)


def test_bare_option_does_not_swallow_following_path(seed: pytest.Pytester) -> None:
    result = run(seed, "--sessionlint-guard", "test_users.py")
    result.assert_outcomes(passed=1)
    assert findings(result) == [SEED_LINE]


def test_bad_value_is_a_usage_error(seed: pytest.Pytester) -> None:
    result = run(seed, "--sessionlint-guard=loud")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*expected warn, fail, true or false, got 'loud'*"])


@pytest.mark.parametrize(("value", "errors"), [("true", 0), ("warn", 0), ("fail", 1)])
def test_ini_option(seed: pytest.Pytester, value: str, errors: int) -> None:
    seed.makeini(f"[pytest]\nsessionlint_guard = {value}\n")
    result = run(seed)
    result.assert_outcomes(passed=2, errors=errors)
    assert findings(result) == [SEED_LINE]


def test_ini_false_is_off_and_option_overrides(seed: pytest.Pytester) -> None:
    seed.makeini("[pytest]\nsessionlint_guard = false\n")
    assert SECTION not in run(seed).stdout.str()
    assert findings(run(seed, "--sessionlint-guard")) == [SEED_LINE]


RECORDER = """

def pytest_unconfigure(config):
    import dataclasses, json
    from sessionlint.guard import get_findings
    data = {
        "registered": config.pluginmanager.get_plugin("sessionlint-guard") is not None,
        "findings": [dataclasses.asdict(f) for f in get_findings(config)],
    }
    (config.rootpath / "guard.json").write_text(json.dumps(data))
"""


def test_findings_are_available_on_config(seed: pytest.Pytester) -> None:
    seed.makeconftest(SEED_CONFTEST + RECORDER)
    seed.makepyfile(test_env="import os\n\ndef test_env():\n    os.environ['GUARD_T'] = '1'\n")
    run(seed, "--sessionlint-guard")
    data = json.loads((seed.path / "guard.json").read_text())
    assert data["registered"] is True
    fields = ("nodeid", "kind", "fixture", "scope", "location", "detail", "phase", "key")
    assert [tuple(item[f] for f in fields) for item in data["findings"]] == [
        ("test_env.py::test_env", "environ", None, None, None,
         "set environment variable 'GUARD_T'", "test", "GUARD_T"),
        ("test_users.py::test_create_user", "fixture", "shared_config", "session",
         "conftest.py:5", "['users'] [] -> ['alice']", "test", "['users']"),
    ]
    assert "shared_config" in data["findings"][1]["closure"]
    assert GuardFinding(**data["findings"][0]).line().startswith("test_env.py::test_env set")


def test_under_xdist(seed: pytest.Pytester) -> None:
    seed.makepyfile(test_env="import os\n\ndef test_env():\n    os.environ['GUARD_X'] = '1'\n")
    result = run(seed, "-n", "2", "--sessionlint-guard")
    result.assert_outcomes(passed=3)
    assert sorted(findings(result)) == sorted(
        [SEED_LINE, "test_env.py::test_env set environment variable 'GUARD_X'"]
    )


def test_under_xdist_fail_mode(seed: pytest.Pytester) -> None:
    result = run(seed, "-n", "2", "--sessionlint-guard=fail")
    assert result.ret != 0
    assert findings(result) == [SEED_LINE]


@pytest.mark.parametrize("seed_value", ["1", "2", "3"])
def test_under_pytest_randomly(seed: pytest.Pytester, seed_value: str) -> None:
    result = run(seed, "--sessionlint-guard", f"--randomly-seed={seed_value}", randomly=True)
    result.stdout.fnmatch_lines([f"Using --randomly-seed={seed_value}"])
    assert findings(result) == [SEED_LINE]


# -- bounded cost --------------------------------------------------------------------------


def test_bounded_on_huge_values(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def huge():
            return list(range(1_000_000))

        @pytest.fixture(scope="session")
        def deep():
            root = node = {}
            for _ in range(5_000):
                node["next"] = node = {}
            return root

        @pytest.fixture(scope="session")
        def cyclic():
            a = {"name": "a"}
            b = {"name": "b", "peer": a}
            a["peer"] = b
            items = [a, b]
            items.append(items)
            return items

        class Node:
            def __init__(self, parent=None):
                self.parent = parent
                self.children = []

        @pytest.fixture(scope="session")
        def tree():
            root = Node()
            for _ in range(50_000):
                root.children.append(Node(root))
            return root
        """
    )
    pytester.makepyfile(
        test_huge="""
        import pytest

        @pytest.mark.parametrize("i", range(20))
        def test_read(huge, deep, cyclic, tree, i):
            pass

        def test_grow(huge):
            huge.append(-1)

        def test_cycle(cyclic):
            cyclic[0]["name"] = "z"

        def test_tree(tree):
            tree.children[3].children.append(1)
        """
    )
    result = run(pytester, "--sessionlint-guard")  # bounded walks: finishes, no timing asserted here
    result.assert_outcomes(passed=23)
    found = findings(result)
    assert found[:2] == [
        ("test_huge.py::test_grow mutated session fixture 'huge' (conftest.py:4): "
         "<list of 1000000 items> -> <list of 1000001 items>"),
        ("test_huge.py::test_cycle mutated session fixture 'cyclic' (conftest.py:15): "
         "[0]['name'] 'a' -> 'z'"),
    ]
    assert len(found) == 3
    assert found[2].startswith("test_huge.py::test_tree mutated session fixture 'tree'")
    summarised = notes(result)
    assert any("'huge'" in note and "1000000 items" in note for note in summarised)
    assert any("'deep'" in note and "nested deeper" in note for note in summarised)
    assert len([note for note in summarised if "'huge'" in note]) == 1  # said once


# -- the fingerprint, directly -------------------------------------------------------------


def changes(value: Any, mutate: Any) -> list[str]:
    before = fingerprint(value)
    mutate(value)
    found, _ = describe_changes(before, fingerprint(value))
    return [str(change) for change in found]


@dataclasses.dataclass
class Account:
    owner: str
    balance: int = 0
    history: list[int] = dataclasses.field(default_factory=list)


class FakeArray:
    """Quacks like a numpy array (and claims numpy as its module)."""

    __module__ = "numpy"

    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)
        self.shape = (len(data),)
        self.dtype = "uint8"

    @property
    def nbytes(self) -> int:
        return len(self.data)

    def tobytes(self) -> bytes:
        return bytes(self.data)


@pytest.mark.parametrize(
    ("value", "mutate", "expected"),
    [
        ({"users": []}, lambda v: v["users"].append("alice"), ["['users'] [] -> ['alice']"]),
        ({"k": 1}, lambda v: v.pop("k"), ["['k'] 1 -> <missing>"]),
        ({"k": 1}, lambda v: v.update(n=2), ["['n'] <missing> -> 2"]),
        ([1, 2, 3], lambda v: v.__setitem__(1, 9), ["[1] 2 -> 9"]),
        ([1, 2], lambda v: v.__setitem__(0, True), ["[0] 1 -> True"]),
        ({1}, lambda v: v.discard(1), ["{1} -> set()"]),
        (Account("a"), lambda v: v.history.append(5), [".history [] -> [5]"]),
        ([Account("a")], lambda v: setattr(v[0], "balance", 3), ["[0].balance 0 -> 3"]),
        (bytearray(b"ab"), lambda v: v.append(99), ["bytearray(b'ab') -> bytearray(b'abc')"]),
        ({"arr": FakeArray(b"abc")}, lambda v: v["arr"].data.__setitem__(0, 0), None),
    ],
)
def test_fingerprint_changes(value: Any, mutate: Any, expected: Sequence[str] | None) -> None:
    found = changes(value, mutate)
    if expected is None:
        assert len(found) == 1
    else:
        assert found == expected


def test_fingerprint_long_values_are_truncated() -> None:
    found = changes({"note": "x" * 100}, lambda v: v.__setitem__("note", "y" * 100))
    assert len(found) == 1
    path, rest = found[0].split(" ", 1)
    before, after = rest.split(" -> ")
    assert path == "['note']"
    assert len(before) == len(after) == 60
    assert before.endswith("...") and after.endswith("...")  # noqa: PT018


def test_fingerprint_long_sequence_shows_the_end_that_changed() -> None:
    assert changes({"log": ["x" * 100]}, lambda v: v["log"].append("y")) == [
        "['log'][1:] [] -> ['y']"
    ]
    assert changes(list(range(100)), lambda v: v.pop()) == ["[99:] [99] -> []"]
    assert changes({"users": []}, lambda v: v["users"].append("alice")) == [
        "['users'] [] -> ['alice']"
    ]


def test_fingerprint_summarises_large_arrays_and_says_so() -> None:
    value = FakeArray(bytes(2 * 1024 * 1024))
    snapshot = fingerprint(value)
    assert any("too large to hash" in note for note in snapshot.notes)
    assert snapshot == fingerprint(value)


def test_fingerprint_opaque_objects_by_identity() -> None:
    import threading

    holder = {"lock": threading.Lock(), "items": []}
    assert changes(holder, lambda v: v["items"].append(1)) == ["['items'] [] -> [1]"]
    assert changes(holder, lambda v: v.__setitem__("lock", threading.Lock())) == [
        "['lock'] <lock object> -> <lock object>"
    ]


class Loud:
    """Its repr must never run: the guard renders state, not user code."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        raise AssertionError("user repr called")


def test_render_runs_no_user_repr() -> None:
    assert render([1, "a", (2,), {3}]) == "[1, 'a', (2,), {3}]"
    assert changes({"x": Loud(1)}, lambda v: v.__setitem__("x", Loud(2))) == ["['x'].n 1 -> 2"]


def test_class_level_default_restored_as_instance_attribute_is_no_change() -> None:
    class Flags:
        debug = False

    flags = Flags()
    assert changes(flags, lambda v: setattr(v, "debug", False)) == []
    assert changes(flags, lambda v: setattr(v, "debug", True)) == [".debug False -> True"]


def test_process_changes() -> None:
    before = ProcessState({"A": "1", "B": "2", "PYTEST_CURRENT_TEST": "x"}, ("/a", "/b"), "/w")
    after = ProcessState({"A": "1", "B": "3", "C": "4"}, ("/b", "/a", "/c"), "/v")
    assert process_changes(before, after) == [
        ("environ", "changed environment variable 'B'"),
        ("environ", "set environment variable 'C'"),
        ("sys.path", "changed sys.path: added '/c'"),
        ("cwd", "changed working directory: /w -> /v"),
    ]
    assert process_changes(before, before) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_fingerprint_of_a_deep_copy_is_equal(value: Any) -> None:
    assert fingerprint(value) == fingerprint(copy.deepcopy(value))


def nested_lists(value: Any) -> list[list[Any]]:
    """Every list inside `value`, `value` included."""
    found = [value] if isinstance(value, list) else []
    children = value.values() if isinstance(value, dict) else value if found else ()
    for child in children:
        found += nested_lists(child)
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, max_size=4), st.data())
def test_fingerprint_sees_every_append(value: list[Any], data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(nested_lists(value)))
    before = fingerprint(value)
    target.append("new")
    found, _ = describe_changes(before, fingerprint(value))
    assert found


# -- issue 15: what pytest really shares, true verdicts, quiet on real graphs ------


def test_broad_fixture_with_slk101_is_reported_as_predicted(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture(scope='session')\ndef box():\n    return {'items': []}\n"
    )
    pytester.makepyfile(
        test_helper="def add(box):\n    box['items'].append(1)\n\n\ndef test_via_helper(box):\n    add(box)\n"
    )
    result = run(pytester, "--sessionlint-guard")
    [line] = [line for line in guard_lines(result) if line.startswith("test_")]
    assert line.endswith("[predicted by sessionlint SLK101 at conftest.py:5]"), line


def test_each_test_deleting_its_working_directory_is_named(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_cwd="""
        import os, shutil, tempfile
        import pytest

        @pytest.mark.parametrize("n", range(7))
        def test_move_and_delete(n):
            where = tempfile.mkdtemp()
            os.chdir(where)
            shutil.rmtree(where)
        """
    )
    result = run(pytester, "--sessionlint-guard")
    lines = [line for line in findings(result) if "changed working directory" in line]
    assert [line.split(" ", 1)[0] for line in lines] == [
        f"test_cwd.py::test_move_and_delete[{n}]" for n in range(7)
    ]


def test_session_fixture_setup_change_is_charged_to_the_fixture_once(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import os, sys
        import pytest

        @pytest.fixture(scope="session")
        def plugin_path():
            sys.path.insert(0, "/opt/plugins")
            os.environ["PLUGIN_HOME"] = "/opt/plugins"
            yield
        """
    )
    pytester.makepyfile(test_a="def test_one(plugin_path):\n    pass\n\ndef test_two(plugin_path):\n    pass\n")
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        "session fixture 'plugin_path' (conftest.py:5) set environment variable 'PLUGIN_HOME' "
        "during setup (first needed by test_a.py::test_one)",
        "session fixture 'plugin_path' (conftest.py:5) changed sys.path: added '/opt/plugins' "
        "during setup (first needed by test_a.py::test_one)",
    ]


def test_setup_module_globals_and_unittest_setupclass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_xunit="""
        import unittest

        REGISTRY = None

        def setup_module():
            global REGISTRY
            REGISTRY = {}

        def test_register():
            REGISTRY["a"] = 1

        class TestCache(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                cls.seen = set()

            def test_add(self):
                self.seen.add(1)
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        "test_xunit.py::test_register mutated 'REGISTRY' set by setup_module (test_xunit.py:5): "
        "['a'] <missing> -> 1",
        "test_xunit.py::TestCache::test_add mutated 'TestCache.seen' set by TestCache.setUpClass "
        "(test_xunit.py:14): set() -> {1}",
    ]


def test_unittest_advice_is_what_a_testcase_can_do(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_unit="""
        import os, unittest

        class TestEnv(unittest.TestCase):
            def test_flag(self):
                os.environ["UNIT_FLAG"] = "1"

        def test_plain():
            os.environ["PLAIN_FLAG"] = "1"
        """
    )
    result = run(pytester, "--sessionlint-guard")
    unit, plain = [line for line in guard_lines(result) if line.startswith("test_")]
    assert "mock.patch.dict(os.environ) or self.addCleanup" in unit and "monkeypatch" not in unit
    assert "monkeypatch.setenv" in plain


def test_sys_modules_first_import_is_quiet_removal_is_not(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mods="""
        import sys

        def test_lazy_import():
            import colorsys  # a first import: normal

        def test_unload():
            del sys.modules["json"]
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == ["test_mods.py::test_unload removed 'json' from sys.modules"]


def test_first_party_attribute_counter_is_grouped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        model="class Model:\n    def __init__(self):\n        self.evaluations = 0\n\nmodel = Model()\n",
        test_model="""
        import pytest
        import model

        @pytest.mark.parametrize("n", range(80))
        def test_evaluate(n):
            model.model.evaluations += 1
        """,
    )
    result = run(pytester, "--sessionlint-guard")
    lines = [line for line in guard_lines(result) if not line.startswith("note")]
    assert len(lines) == 2, lines
    assert lines[0].startswith("test_model.py::test_evaluate[0] changed model.model.evaluations: 0 -> 1")
    assert lines[1] == "... and 79 more tests incremented model.model.evaluations"


def test_walk_stops_at_mocks_loggers_and_library_objects(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import argparse, logging
        from unittest import mock
        import pytest

        class Client:
            def __init__(self):
                self.transport = mock.Mock()
                self.log = logging.getLogger("client")
                self.options = argparse.Namespace(retries=1)
                self.calls = []

        @pytest.fixture(scope="session")
        def client():
            return Client()
        """
    )
    pytester.makepyfile(
        test_client="""
        import logging

        def test_send(client):
            client.transport.send(b"x")
            client.log.addHandler(logging.NullHandler())
            client.options.retries = 5

        def test_record(client):
            client.calls.append("ping")
        """
    )
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == [
        "test_client.py::test_record mutated session fixture 'client' (conftest.py:13): "
        ".calls [] -> ['ping']"
    ]


def test_opaque_types_are_configurable(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsessionlint_guard_opaque = conftest.Counter\n")
    pytester.makeconftest(
        """
        import pytest

        class Counter:
            def __init__(self):
                self.n = 0

        @pytest.fixture(scope="session")
        def counter():
            return {"c": Counter()}
        """
    )
    pytester.makepyfile(test_c="def test_bump(counter):\n    counter['c'].n += 1\n")
    result = run(pytester, "--sessionlint-guard")
    assert findings(result) == []


def test_bad_sessionlint_configuration_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.sessionlint]\nselect = 3\n")
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    result = run(pytester, "--sessionlint-guard")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*sessionlint guard: *select must be an array of strings*"])
    assert "Traceback" not in result.stderr.str()


def test_end_of_run_comparison_lints_only_involved_files_with_the_cache(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(SEED_CONFTEST)
    pytester.makepyfile(**SEED_TESTS)
    for index in range(5):
        pytester.makepyfile(**{f"test_other_{index}": "def test_x():\n    pass\n"})
    run(pytester, "--sessionlint-guard")
    cache = pytester.path / ".sessionlint_cache"
    assert cache.is_dir()
    assert any(p.is_file() for p in cache.rglob("*"))  # the engine wrote its cache there


def test_session_fixture_setup_change_once_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import os\nimport pytest\n\n@pytest.fixture(scope='session')\ndef env():\n"
        "    os.environ['XD_SETUP'] = '1'\n    yield\n"
    )
    pytester.makepyfile(**{f"test_x{i}": "def test_a(env):\n    pass\n" for i in range(4)})
    result = run(pytester, "-n", "2", "--sessionlint-guard")
    lines = [line for line in findings(result) if "XD_SETUP" in line]
    assert len(lines) == 1, lines


def test_a_bad_configuration_is_a_usage_error_at_configure_time(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.sessionlint]\nselect = "SLK101"\n')
    pytester.makepyfile(test_ok="def test_ok():\n    assert True\n")
    result = run(pytester, "--sessionlint-guard")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "tool.sessionlint.select must be an array of strings" in result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_root_session_autouse_setup_is_configuration_not_a_leak(pytester: pytest.Pytester) -> None:
    """Set up before the first test of every run, whatever the order: silent. The same fixture in a
    sub-directory's conftest is set up only when that directory's first test runs: reported."""
    fixture = (
        "import os\nimport pytest\n\n@pytest.fixture(scope='session', autouse=True)\ndef {name}():\n"
        "    with pytest.MonkeyPatch.context() as mp:\n        mp.setenv('{var}', '1')\n        yield\n"
    )
    pytester.makeconftest(fixture.format(name="app_env", var="ROOT_MODE"))
    sub = pytester.mkpydir("sub")
    (sub / "conftest.py").write_text(fixture.format(name="sub_env", var="SUB_MODE"))
    (sub / "test_sub.py").write_text("def test_sub():\n    pass\n")
    pytester.makepyfile(test_top="def test_top():\n    pass\n")
    result = run(pytester, "--sessionlint-guard", "test_top.py", "sub/test_sub.py")
    lines = findings(result)
    assert not [line for line in lines if "ROOT_MODE" in line], lines
    assert [line for line in lines if "SUB_MODE" in line], lines
