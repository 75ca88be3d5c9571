"""SLK203 test-mutates-module-state, and the aliases SLK201/SLK202 now follow, beyond the golden samples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import lint

from sessionlint.cli import main
from sessionlint.config import Settings


def codes(root: Path, code: str) -> list[tuple[str, int, str]]:
    result = lint(root)
    assert not result.errors, result.errors
    return sorted(
        (str(Path(d.path).relative_to(root)), d.line, d.message) for d in result.diagnostics if d.code == code
    )


def lines(root: Path, code: str) -> list[tuple[str, int]]:
    return [(path, line) for path, line, _ in codes(root, code)]


def fix(root: Path, unsafe: bool = False) -> None:
    flags = ["--fix", "--no-cache", "--isolated", "-q"] + (["--unsafe-fixes"] if unsafe else [])
    assert main([*flags, str(root)]) in (0, 1)


def run_pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:sessionlint", *args],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


# SLK203 detection -----------------------------------------------------------------------------
def test_module_attribute_of_an_imported_first_party_module(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/registry.py": "HANDLERS = []\nNAME = 'x'\n\ndef handlers():\n    return []\n",
            "test_reg.py": "import app.registry as reg\n\n\ndef test_add():\n    reg.HANDLERS.append(print)\n",
        }
    )
    [(path, line, message)] = codes(root, "SLK203")
    assert (path, line) == ("test_reg.py", 5)
    assert "module-level 'HANDLERS' (a list, from app.registry)" in message
    assert "append() on reg.HANDLERS" in message
    assert not message.endswith(".")


def test_imported_name_that_is_not_a_container_is_silent(project) -> None:
    root = project(
        {
            "app/__init__.py": "",
            "app/client.py": "class Client:\n    pass\n\nclient = Client()\nLIMITS = (1, 2)\n",
            "test_client.py": "from app.client import LIMITS, client\n\n\n"
            "def test_update():\n    client.update(x=1)\n    client.items = []\n\n\n"
            "def test_limits():\n    assert LIMITS[0]\n",
        }
    )
    assert codes(root, "SLK203") == []


def test_third_party_import_is_silent(project) -> None:
    root = project({"test_x.py": "from somewhere_else import TABLE\n\n\ndef test_t():\n    TABLE['k'] = 1\n"})
    assert codes(root, "SLK203") == []


@pytest.mark.parametrize(
    ("binding", "write", "reported"),
    [
        ("ERRORS = []", "ERRORS.clear()", False),
        ("ERRORS = list()", "ERRORS.clear()", False),
        ("ERRORS = collections.defaultdict(list)", "ERRORS.clear()", False),
        ("ERRORS = ['seed']", "ERRORS.clear()", True),  # emptied below what the module built
        ("ERRORS = []\nERRORS.append('import-time')", "ERRORS.clear()", True),
        ("ERRORS = {'n': 0}", "ERRORS['n'] = 0", False),
        ("ERRORS = {'n': 0}", "ERRORS['n'] = 1", True),
        ("ERRORS = {'n': 0}", "ERRORS['n'] = False", True),  # 0 == False, but not the same literal
        ("ERRORS = {'n': 0}", "errs = ERRORS\n    errs['n'] = 0", True),  # through an alias: not followed
    ],
)
def test_reset_to_the_module_binding_is_silent(project, binding: str, write: str, reported: bool) -> None:
    """fastapi's ``counter_holder["counter"] = 0`` / ``errors.clear()``: putting back the module's own
    value is the cleanup of what the code under test filled."""
    root = project({"test_x.py": f"import collections\n\n{binding}\n\n\ndef test_t():\n    {write}\n"})
    assert bool(codes(root, "SLK203")) is reported


def test_setup_method_alias_and_teardown_restore(project) -> None:
    root = project(
        {
            "test_cls.py": "REGISTRY = {'a': 1}\n\n\n"
            "class TestSetUp:\n    def setup_method(self):\n        self.registry = REGISTRY\n\n"
            "    def test_write(self):\n        self.registry['b'] = 2\n\n\n"
            "class TestRestored:\n    values = []\n\n    def teardown_method(self):\n        self.values.clear()\n\n"
            "    def test_append(self):\n        self.values.append(1)\n\n\n"
            "class TestInstance:\n    def setup_method(self):\n        self.values = []\n\n"
            "    def test_append(self):\n        self.values.append(1)\n",
        }
    )
    assert lines(root, "SLK203") == [("test_cls.py", 9)]


def test_subclass_sees_the_class_attribute(project) -> None:
    root = project(
        {
            "test_sub.py": "class Base:\n    seen = set()\n\n\nclass TestChild(Base):\n"
            "    def test_add(self):\n        self.seen.add(1)\n",
        }
    )
    [(_, line, message)] = codes(root, "SLK203")
    assert line == 7 and "class attribute 'TestChild.seen' (a set every instance shares)" in message


@pytest.mark.parametrize(
    "body",
    [
        "    with mock.patch.dict(ITEMS, {'a': 2}):\n        ITEMS['b'] = 1\n",
        "    ITEMS['b'] = 1\n    request.addfinalizer(ITEMS.clear)\n",
        "    local = {**ITEMS}\n    local['b'] = 1\n",
        "    ITEMS = {}\n    ITEMS['b'] = 1\n",
        "    for key in ITEMS:\n        assert key\n",
        "    ITEMS.owner = 1\n",  # a builtin container takes no attribute: not this container
    ],
)
def test_quiet_patterns(project, body: str) -> None:
    root = project({"test_q.py": f"from unittest import mock\n\nITEMS = {{'a': 1}}\n\n\ndef test_q(request):\n{body}"})
    assert codes(root, "SLK203") == []


def test_autouse_fixture_that_resets_the_container(project) -> None:
    root = project(
        {
            "test_auto.py": "import pytest\n\nCALLS = []\n\n\n@pytest.fixture(autouse=True)\ndef _clear():\n"
            "    CALLS.clear()\n\n\ndef test_a():\n    CALLS.append(1)\n    assert CALLS == [1]\n",
        }
    )
    assert codes(root, "SLK203") == []


def test_fixture_write_is_reported_and_restored_after_yield_is_not(project) -> None:
    root = project(
        {
            "conftest.py": "import pytest\n\nHOOKS = []\n\n\n@pytest.fixture\ndef hooked():\n    HOOKS.append(1)\n\n\n"
            "@pytest.fixture\ndef restored():\n    HOOKS.append(2)\n    yield\n    HOOKS.remove(2)\n",
        }
    )
    [(path, line, message)] = codes(root, "SLK203")
    assert (path, line) == ("conftest.py", 8) and message.startswith("fixture 'hooked' mutates")


def test_pandas_inplace_on_module_frame(project) -> None:
    root = project(
        {
            "test_df.py": "import pandas as pd\n\nFRAME = pd.DataFrame({'a': [1]})\n\n\n"
            "def test_drop():\n    FRAME.drop(columns=['a'], inplace=True)\n\n\n"
            "def test_attr():\n    FRAME.columns = ['b']\n",
        }
    )
    assert lines(root, "SLK203") == [("test_df.py", 7), ("test_df.py", 11)]


# SLK203 fixes --------------------------------------------------------------------------------
def test_setitem_fix_keeps_the_test_passing_and_the_module_clean(project) -> None:
    root = project(
        {
            "test_edit.py": "DEFAULTS = {'retries': 3}\n\n\ndef test_edit(tmp_path):\n"
            "    DEFAULTS['retries'] = 5; DEFAULTS['retries'] = 5\n    assert DEFAULTS['retries'] == 5\n\n\n"
            "def test_default():\n    assert DEFAULTS['retries'] == 3\n",
        }
    )
    assert run_pytest(root, "test_edit.py::test_edit", "test_edit.py::test_default").returncode == 1
    fix(root)
    text = (root / "test_edit.py").read_text()
    assert "def test_edit(tmp_path, monkeypatch):" in text
    assert text.count("monkeypatch.setitem(DEFAULTS, 'retries', 5)") == 2
    assert codes(root, "SLK203") == []
    assert run_pytest(root, "test_edit.py::test_edit", "test_edit.py::test_default").returncode == 0
    fix(root)
    assert (root / "test_edit.py").read_text() == text


def test_no_safe_fix_in_unittest_classes_or_broad_fixtures(project) -> None:
    root = project(
        {
            "test_ut.py": "import unittest\n\nimport pytest\n\nTABLE = {}\n\n\nclass TestT(unittest.TestCase):\n"
            "    def test_a(self):\n        TABLE['a'] = 1\n\n\n@pytest.fixture(scope='module')\ndef filled():\n"
            "    TABLE['b'] = 2\n",
        }
    )
    result = lint(root)
    found = [d for d in result.diagnostics if d.code == "SLK203"]
    assert [d.line for d in found] == [10, 15]
    assert all(d.fix is None for d in found)


# aliases for SLK201 ------------------------------------------------------------------------------
def test_nested_function_passed_as_keyword_and_shadowing_parameter(project) -> None:
    root = project(
        {
            "conftest.py": "import pytest\n\n\n@pytest.fixture(scope='session')\ndef state():\n    return {'n': 0}  # noqa: SLK101\n",
            "test_cb.py": "def run(callback=None):\n    callback({})\n\n\n"
            "def test_kw(state):\n    def cb(_):\n        state['n'] += 1\n    run(callback=cb)\n\n\n"
            "def test_shadow(state):\n    def cb(state):\n        state['n'] = 1\n    run(cb)\n",
        }
    )
    assert lines(root, "SLK201") == [("test_cb.py", 7)]


def test_items_and_getattr_aliases(project) -> None:
    root = project(
        {
            "conftest.py": "import pytest\n\n\n@pytest.fixture(scope='session')\ndef groups():\n"
            "    return {'a': [1], 'b': [2]}  # noqa: SLK101\n",
            "test_g.py": "def test_items(groups):\n    for name, members in groups.items():\n        members.append(name)\n\n\n"
            "def test_getattr(groups):\n    getattr(groups, 'clear')\n\n\n"
            "def test_slice_copy(groups):\n    mine = groups['a'][:]\n    mine.append(3)\n",
        }
    )
    assert lines(root, "SLK201") == [("test_g.py", 3)]


def test_parametrize_with_one_item_is_silent(project) -> None:
    root = project(
        {
            "test_p.py": "import pytest\n\n\n@pytest.mark.parametrize('d', [{'a': 1}, {'a': 2}])\ndef test_one(d):\n"
            "    d.pop('a')\n\n\n@pytest.mark.parametrize('d', [{'a': 1}])\n@pytest.mark.parametrize('x', [1, 2])\n"
            "def test_two(d, x):\n    d.pop('a', None)\n",
        }
    )
    [(path, line, message)] = codes(root, "SLK201")
    assert (path, line) == ("test_p.py", 12)
    assert "parametrize argument 'd' (a dict that pytest hands to 2 items)" in message


def test_parametrize_key_written_before_any_read_is_silent(project) -> None:
    root = project(
        {
            "test_p.py": "import pytest\n\n\n@pytest.mark.parametrize('f, kw', [('a', {}), ('b', {'x': 1})])\n"
            "@pytest.mark.parametrize('dtype', [1, 2])\ndef test_kw(f, kw, dtype):\n    kw['dtype'] = dtype\n"
            "    if f == 'b':\n        kw['left'] = dtype\n    if 'args' not in kw:\n        kw['args'] = []\n"
            "    if dtype == 1:\n        kw['late'] = 1\n    assert kw\n    kw['after'] = 2\n",
        }
    )
    # only the writes a later item can observe: under a condition on another mark's argument, after a read
    assert lines(root, "SLK201") == [("test_p.py", 13), ("test_p.py", 15)]


def test_parametrize_fix_makes_both_items_pass(project) -> None:
    root = project(
        {
            "test_p.py": "import pytest\n\n\n@pytest.mark.parametrize('d', [{'a': 1}])\n"
            "@pytest.mark.parametrize('x', [1, 2])\ndef test_two(d, x):\n    assert d.pop('a') == 1\n",
        }
    )
    assert run_pytest(root).returncode == 1
    fix(root)
    assert "d = copy.deepcopy(d)" in (root / "test_p.py").read_text()
    assert run_pytest(root).returncode == 0


# value kinds -----------------------------------------------------------------------------------
def test_yield_fixture_annotation_and_extra_mutable_types(project) -> None:
    root = project(
        {
            "conftest.py": "from typing import Iterator\n\nimport polars\nimport pytest\n\n\n"
            "@pytest.fixture(scope='session')\ndef env() -> Iterator[dict[str, str]]:\n    yield load()\n\n\n"
            "@pytest.fixture(scope='session')\ndef frame():\n    return polars.DataFrame()\n\n\n"
            "@pytest.fixture(scope='session')\ndef pair():\n    return 'a', ('b', 1)\n",
        }
    )
    result = lint(root, Settings(root=str(root), extra_mutable_types=("polars.DataFrame",)))
    found = sorted((d.path.rsplit("/", 1)[-1], d.line) for d in result.diagnostics if d.code == "SLK101")
    assert found == [("conftest.py", 9), ("conftest.py", 14)]
    assert lines(root, "SLK101") == [("conftest.py", 9)]  # without the setting: polars is not in the table


def test_imported_class_is_not_a_singleton(project) -> None:
    root = project(
        {
            "app_state.py": "class App:\n    pass\n\n\nSTATE = {}\n",
            "conftest.py": "import pytest\n\nfrom app_state import App, STATE\n\n\n@pytest.fixture\ndef app_cls():\n"
            "    return App\n\n\n@pytest.fixture\ndef state():\n    return STATE\n",
        }
    )
    assert lines(root, "SLK102") == [("conftest.py", 13)]


# structured fields and the guard --------------------------------------------------------------
def test_slk203_fields_name_the_container_and_the_test(project) -> None:
    root = project(
        {
            "test_fields.py": 'DEFAULTS = {"retries": 3}\n\n\ndef test_retries():\n    DEFAULTS["retries"] = 5\n\n\n'
            "class TestCache:\n    seen = set()\n\n    def test_add(self):\n        self.seen.add(1)\n",
        }
    )
    found = sorted((d for d in lint(root).diagnostics if d.code == "SLK203"), key=lambda d: d.line)
    assert [(d.owner, d.owner_kind, d.target, d.target_key, d.fixture, d.scope) for d in found] == [
        ("test_retries", "test", "module", "test_fields.DEFAULTS", "DEFAULTS", "module"),
        ("TestCache.test_add", "test", "class", "TestCache.seen", "TestCache.seen", "class"),
    ]
    assert all(d.fix_title and "monkeypatch.setitem" in d.fix_title for d in found)
    assert all(len(d.message) <= 160 and "copy" not in d.message for d in found)


def test_guard_counts_slk203_as_a_prediction_for_its_own_test(project) -> None:
    from sessionlint._guard_report import _prediction
    from sessionlint.guard import GuardFinding

    root = project(
        {"test_cache.py": "class TestCache:\n    seen = set()\n\n    def test_add(self):\n        self.seen.add(1)\n"}
    )
    diagnostics = list(lint(root).diagnostics)

    def finding(nodeid: str) -> GuardFinding:
        return GuardFinding(nodeid, "xunit", "TestCache.seen", "TestCache", "test_cache.py:2", "set() -> {1}")

    hit = _prediction(finding("test_cache.py::TestCache::test_add"), diagnostics, root)
    assert hit is not None and hit.code == "SLK203" and hit.line == 5
    assert _prediction(finding("test_cache.py::TestCache::test_other"), diagnostics, root) is None


def test_the_textual_write_precheck_keeps_writes_and_drops_reads() -> None:
    from sessionlint.rules.module_state import _written

    for text in ("H.append(1)", "H['k'] = 1", "H.x = 1", "H += [1]", "y = H\n", "f(H)", "g(1, H, 2)",
                 "for h in H:", "del H[0]", "x = (\n    H\n)", "self.H.pop()"):  # fmt: skip
        assert _written("H", text), text
    for text in ("assert H == {}", "HH.append(1)", "print(H.x)", "H.x == 1", "return H or None"):
        assert not _written("H", text), text
    assert _written("self.payload", "self.payload['k'] = 1")
    assert not _written("self.payload", "assert self.payload_other['k']")


# SLK201: a value saved before a ``try`` and put back in its ``finally`` --------------------------
def test_attribute_saved_and_put_back_in_finally_is_silent(project) -> None:
    """datasette: ``previous = client.ds._metadata_local`` ... ``finally: client.ds._metadata_local =
    previous``: neither the write in the ``try`` nor the restore is a leak; without the ``finally`` both are."""
    conftest = (
        "import pytest\n\n\nclass Ds:\n    _metadata_local = {}\n\n\nclass Client:\n    ds = Ds()\n\n\n"
        "@pytest.fixture(scope='session')\ndef client():\n    return {'ds': Client()}\n"
    )
    body = (
        "def test_t(client):\n    previous = client['ds']._metadata_local\n    try:\n"
        "        client['ds']._metadata_local = {'allow': False}\n    finally:\n"
        "        client['ds']._metadata_local = previous\n"
    )
    root = project({"conftest.py": conftest, "test_x.py": body})
    assert codes(root, "SLK201") == []
    unprotected = body.replace("    try:\n        client", "    client").replace("    finally:\n        client", "    client")
    (root / "test_x.py").write_text(unprotected)
    assert lines(root, "SLK201") == [("test_x.py", 3), ("test_x.py", 4)]


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("    if kind not in cache:\n        cache[kind] = object()\n", False),
        ("    if 'k' not in cache:\n        cache['k'] = object()\n", False),
        ("    if kind not in cache:\n        cache['other'] = object()\n", True),
        ("    cache[kind] = object()\n", True),
    ],
)
def test_memo_filled_by_a_narrower_fixture(project, body: str, reported: bool) -> None:
    """scrapy's ``_mitm_proxies``: a function fixture filling a session cache once per key (SLK202)."""
    conftest = (
        "import pytest\n\n\n@pytest.fixture(scope='session')\ndef cache():\n    store = {}\n    yield store\n\n\n"
        f"@pytest.fixture\ndef proxy(cache):\n    kind = 'http'\n{body}    return cache[kind]\n"
    )
    root = project({"conftest.py": conftest, "test_x.py": "def test_t(proxy):\n    assert proxy\n"})
    assert bool(codes(root, "SLK202")) is reported
