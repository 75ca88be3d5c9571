"""SLK601 on hand-written memos: module dicts filled under a guard and lazily-initialised globals."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import lint, run_cli, write_project
from sessionlint.config import Settings
from sessionlint.extract import extract_text

HEAD = "import os\n\n_cache = {}\n_settings = None\n\n\n"


def _summary(tmp_path: Path, body: str):
    return extract_text(str(tmp_path / "app.py"), HEAD + body, Settings(root=str(tmp_path))).rule_data["SLK6"]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("def f(k):\n    if k not in _cache:\n        _cache[k] = os.getenv(k)\n    return _cache[k]\n", "_cache"),
        ("def f(k):\n    if k in _cache:\n        return _cache[k]\n    _cache[k] = os.getenv(k)\n    return _cache[k]\n", "_cache"),
        ("def f(k):\n    try:\n        return _cache[k]\n    except KeyError:\n        value = _cache[k] = os.getenv(k)\n"
         "        return value\n", "_cache"),
        ("def f(k):\n    if _cache.get(k) is None:\n        _cache[k] = os.getenv(k)\n    return _cache[k]\n", "_cache"),
        ("def f(k):\n    found = _cache.get(k)\n    if found is None:\n        found = _cache[k] = os.getenv(k)\n"
         "    return found\n", "_cache"),
        ("def f():\n    global _settings\n    if _settings is None:\n        _settings = os.getenv('A')\n"
         "    return _settings\n", "_settings"),
        ("def f():\n    global _settings\n    if not _settings:\n        with open('x') as fh:\n"
         "            _settings = fh.read()\n    return _settings\n", "_settings"),
        ("def f():\n    global _settings\n    if _settings is not None:\n        return _settings\n"
         "    _settings = os.getenv('A')\n    return _settings\n", "_settings"),
        ("def f():\n    global _settings\n    _settings = _settings or os.getenv('A')\n    return _settings\n", "_settings"),
    ],
    ids=["not-in", "in-return", "try-keyerror", "get-is-none", "get-local", "lazy", "lazy-not-with", "lazy-early",
         "lazy-or"],
)  # fmt: skip
def test_hand_written_memo_shapes(tmp_path: Path, body: str, name: str) -> None:
    summary = _summary(tmp_path, body)
    f = summary.functions["f"]
    assert (f.memo, f.memo_scope, f.memo_global) == (True, "", name)
    assert summary.memo_globals == {"_cache": "dict", "_settings": "None"}


@pytest.mark.parametrize(
    "body",
    [
        "def f(k):\n    _cache[k] = os.getenv(k)\n    return _cache[k]\n",  # filled on every call
        "def f():\n    global _settings\n    _settings = os.getenv('A')\n    return _settings\n",
        "def f(k):\n    if k not in OTHER:\n        _cache[k] = os.getenv(k)\n    return _cache[k]\n",  # guard on another name
        "def f(k):\n    if k not in _cache:\n        _cache[k] = 1\n    _cache[k] = os.getenv(k)\n",  # and unconditionally
        "def f():\n    if _settings is None:\n        _settings = os.getenv('A')\n    return _settings\n",  # a local
        "def f(k):\n    _cache = {}\n    if k not in _cache:\n        _cache[k] = os.getenv(k)\n    return _cache[k]\n",
        "def f():\n    def g():\n        global _settings\n        if _settings is None:\n            _settings = 1\n    return g\n",
        # a registry that refuses duplicates (pandas' ``register_option``)
        "def f(k):\n    if k in _cache:\n        raise KeyError(k)\n    _cache[k] = os.getenv(k)\n",
        # a warn-once flag (pandas' ``_warned_blocked``)
        "def f():\n    global _settings\n    if not _settings:\n        print(os.getenv('A'))\n        _settings = True\n",
        # a flag set and reset in one function (pydantic's ``_loading_plugins``)
        "def f():\n    global _settings\n    if _settings:\n        return ()\n    _settings = True\n    try:\n"
        "        return os.getenv('A')\n    finally:\n        _settings = None\n",
    ],
    ids=["unconditional-dict", "unconditional-lazy", "other-guard", "also-unconditional", "no-global", "local-dict",
         "nested-def", "registry", "once-flag", "flag"],
)  # fmt: skip
def test_not_a_hand_written_memo(tmp_path: Path, body: str) -> None:
    f = _summary(tmp_path, body).functions["f"]
    assert not f.memo and not f.memo_global


def test_a_global_bound_twice_or_to_a_value_is_no_memo_candidate(tmp_path: Path) -> None:
    text = "import os\n\n_a = None\n_a = None\n_b = {'x': 1}\n_c = []\n_d = dict()\n_e = dict(x=1)\n_f = ''\n_g = 'x'\n"
    summary = extract_text(str(tmp_path / "app.py"), text + "def f():\n    pass\n", Settings(root=str(tmp_path)))
    assert summary.rule_data["SLK6"].memo_globals == {"_d": "dict", "_f": "''"}


def test_resetters_are_recorded(tmp_path: Path) -> None:
    body = (
        "def reset():\n    global _settings\n    _settings = None\n\n\n"
        "def clear():\n    _cache.clear()\n\n\n"
        "def forget(k):\n    del _cache[k]\n\n\n"
        "def local():\n    _settings = None\n    return _settings\n"
    )
    functions = _summary(tmp_path, body).functions
    assert functions["reset"].resets == {"_settings"}
    assert functions["clear"].resets == {"_cache"} and functions["forget"].resets == {"_cache"}
    assert functions["local"].resets == frozenset()


CONFIG = """
import os

_settings = None


def get_settings():
    global _settings
    if _settings is None:
        _settings = {"env": os.environ.get("APP_ENV", "dev")}
    return _settings
"""
TEST = """
from app.config import get_settings


def test_prod(monkeypatch):
    monkeypatch.setenv("APP_ENV", "prod")
    assert get_settings()["env"] == "prod"
"""


def test_message_names_the_global_and_what_resets_it(tmp_path: Path, capsys) -> None:
    reset = "\n\ndef reset_settings():\n    global _settings\n    _settings = None\n"
    root = write_project(tmp_path / "p", {"app/__init__.py": "", "app/config.py": CONFIG + reset, "test_app.py": TEST})
    status, out, _err = run_cli(capsys, str(root))
    assert status == 1
    assert (
        "SLK601 test 'test_prod' patches os.environ['APP_ENV'] and calls get_settings() (app/config.py:6), which "
        "keeps its result in module global _settings, reset only by reset_settings()"
    ) in out
    assert "help: call reset_settings() before and after the test" in out


def test_fix_resets_the_global_around_each_test(tmp_path: Path, capsys) -> None:
    root = write_project(tmp_path / "p", {"app/__init__.py": "", "app/config.py": CONFIG, "test_app.py": TEST})
    status, out, _err = run_cli(capsys, str(root))
    assert status == 1 and "module global _settings, never reset\n" in out
    assert "help: reset it before and after the test (app.config._settings = None" in out
    run_cli(capsys, "--fix", "--unsafe-fixes", str(root))
    fixed = (root / "test_app.py").read_text()
    assert "import app.config\n" in fixed
    assert "def _reset_settings_memo():\n    app.config._settings = None\n    yield\n    app.config._settings = None\n" in fixed
    assert run_cli(capsys, str(root))[0] == 0  # the fixed file names the global: silent
    run_cli(capsys, "--fix", "--unsafe-fixes", str(root))
    assert (root / "test_app.py").read_text() == fixed


def test_dict_memo_fix_clears_it_through_the_module_the_test_imports(tmp_path: Path, capsys) -> None:
    config = "import os\n\n_cache = {}\n\n\ndef backend(name):\n    if name not in _cache:\n" \
        "        _cache[name] = os.environ.get(name)\n    return _cache[name]\n"
    test = "from app import config as cfg\n\n\ndef test_b(monkeypatch):\n    monkeypatch.setenv('B', '1')\n" \
        "    assert cfg.backend('B') == '1'\n"
    root = write_project(tmp_path / "p", {"app/__init__.py": "", "app/config.py": config, "test_app.py": test})
    run_cli(capsys, "--fix", "--unsafe-fixes", str(root))
    fixed = (root / "test_app.py").read_text()
    assert "    cfg._cache.clear()\n    yield\n    cfg._cache.clear()\n" in fixed and "import app.config" not in fixed


def test_silent_when_an_xunit_setup_calls_the_resetter(tmp_path: Path) -> None:
    reset = "\n\ndef reset_settings():\n    global _settings\n    _settings = None\n"
    test = "from app.config import get_settings, reset_settings\n\n\ndef setup_function():\n    reset_settings()\n" + TEST.split("\n", 2)[2]
    root = write_project(tmp_path / "p", {"app/__init__.py": "", "app/config.py": CONFIG + reset, "test_app.py": test})
    assert [d for d in lint(root).diagnostics if d.code == "SLK601"] == []


def test_silent_when_a_parent_conftest_names_the_global(tmp_path: Path) -> None:
    conftest = "import app.config\n\n\ndef pytest_runtest_teardown(item):\n    app.config._settings = None\n"
    root = write_project(tmp_path / "p", {
        "app/__init__.py": "", "app/config.py": CONFIG, "tests/conftest.py": conftest, "tests/unit/test_app.py": TEST,
    })  # fmt: skip
    assert [d for d in lint(root).diagnostics if d.code == "SLK601"] == []
    (root / "tests" / "conftest.py").write_text("import app.config\n")
    assert [d.code for d in lint(root).diagnostics if d.code == "SLK601"] == ["SLK601"]


def test_a_lazy_global_starting_empty_is_reset_to_its_initial_value(tmp_path: Path, capsys) -> None:
    config = "import os\n\n_version = ''\n\n\ndef version():\n    global _version\n    if not _version:\n" \
        "        _version = os.environ.get('V', '1')\n    return _version\n"
    test = "import app.config\n\n\ndef test_v(monkeypatch):\n    monkeypatch.setenv('V', '2')\n" \
        "    assert app.config.version() == '2'\n"
    root = write_project(tmp_path / "p", {"app/__init__.py": "", "app/config.py": config, "test_app.py": test})
    status, out, _err = run_cli(capsys, str(root))
    assert status == 1 and "help: reset it before and after the test (app.config._version = ''," in out


def test_silent_when_a_fixture_resets_through_a_method_of_the_module(tmp_path: Path) -> None:
    config = CONFIG + "\n\nclass Settings:\n    @classmethod\n    def forget(cls):\n        global _settings\n        _settings = None\n"
    test = (
        "import pytest\n\nfrom app import tools\nfrom app.config import get_settings\n\n\n@pytest.fixture\n"
        "def fresh():\n    yield\n    tools.fresh()\n\n\ndef test_prod(fresh, monkeypatch):\n"
        "    monkeypatch.setenv('APP_ENV', 'prod')\n    assert get_settings()['env'] == 'prod'\n"
    )
    tools = "from app.config import Settings\n\n\ndef fresh():\n    Settings.forget()\n"
    root = write_project(tmp_path / "p", {
        "app/__init__.py": "", "app/config.py": config, "app/tools.py": tools, "test_app.py": test,
    })  # fmt: skip
    assert [d for d in lint(root).diagnostics if d.code == "SLK601"] == []
    (root / "app" / "tools.py").write_text("def fresh():\n    pass\n")
    assert [d.code for d in lint(root).diagnostics if d.code == "SLK601"] == ["SLK601"]
