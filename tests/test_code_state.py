"""SLK6xx: summaries of first-party modules and the joins the rules make."""

from __future__ import annotations

from pathlib import Path

from helpers import lint, write
from sessionlint.config import Settings
from sessionlint.extract import extract_text
from sessionlint.rules.code_state.summary import ModuleSummary
from sessionlint.rules.code_state.units import FileRecord


def _write(root: Path, files: dict[str, str]) -> Path:
    """A project: ``files`` under ``root`` with an empty pyproject.toml as its root marker."""
    return write(root, {"pyproject.toml": "", **files})


def _codes(root: Path) -> list[tuple[str, int, str]]:
    result = lint(root)
    assert not result.errors, result.errors
    return sorted((Path(d.path).name, d.line, d.code) for d in result.diagnostics if d.code.startswith("SLK6"))


def test_summary_of_a_module(tmp_path: Path) -> None:
    text = (
        "import os\nfrom functools import lru_cache as memo\nfrom os import environ\n\nROOT = os.getenv('ROOT')\n\n"
        "@memo()\ndef a():\n    return environ['A'], 'B' in os.environ, helper()\n\n"
        "def helper():\n    return ROOT\n\n"
        "def pops(d, keep):\n    keep = dict(keep)\n    keep.pop('x')\n    d.pop('k')\n"
    )
    facts = extract_text(str(tmp_path / "app.py"), text, Settings(root=str(tmp_path)))
    summary = facts.rule_data["SLK6"]
    assert isinstance(summary, ModuleSummary)
    assert summary.functions["a"].memo and summary.functions["a"].env == {"A", "B"}
    assert summary.functions["a"].calls == ("helper",)
    assert summary.functions["helper"].globals == {"ROOT"}
    assert summary.state["ROOT"][1] == {"env:ROOT"}
    assert set(summary.functions["pops"].mutates) == {0}  # 'keep' is rebound to a copy first


def test_test_files_get_records_not_summaries(tmp_path: Path) -> None:
    text = "from app import f\n\ndef test_x(monkeypatch):\n    monkeypatch.setenv('A', '1')\n    f()\n"
    facts = extract_text(str(tmp_path / "test_x.py"), text, Settings(root=str(tmp_path)))
    data = facts.rule_data["SLK6"]
    assert isinstance(data, FileRecord)
    [unit] = data.units
    assert [(p.kind, p.key) for p in unit.patches] == [("env", "A")] and unit.calls[0].target == "app.f"


SETTINGS = "import functools, os\n\n@functools.cache\ndef cfg():\n    return os.environ.get('A')\n"


def test_cache_cleared_through_an_unknown_name_is_trusted(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app.py": SETTINGS,
        "test_a.py": "import app\n\ndef test_a(monkeypatch):\n    monkeypatch.setenv('A', '1')\n"
        "    assert app.cfg()\n    for f in [app.cfg]:\n        f.cache_clear()\n",
    })  # fmt: skip
    assert _codes(root) == []


def test_patch_in_a_conftest_fixture_and_call_in_the_test(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app.py": SETTINGS,
        "conftest.py": "import pytest\n\n@pytest.fixture\ndef env_a(monkeypatch):\n    monkeypatch.setenv('A', '1')\n",
        "test_a.py": "from app import cfg\n\ndef test_a(env_a):\n    assert cfg()\n",
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 4, "SLK601")]


def test_mutation_two_calls_deep_across_modules(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/low.py": "def drop(d):\n    del d['k']\n",
        "pkg/high.py": "from .low import drop\n\ndef clean(d):\n    drop(d)\n",
        "test_a.py": "from pkg.high import clean\n\nDATA = {'k': 1}\n\ndef test_a():\n    clean(DATA)\n",
    })  # fmt: skip
    result = lint(root)
    [diag] = [d for d in result.diagnostics if d.code == "SLK603"]
    assert "clean() -> drop(), which deletes ['k'] at pkg/low.py:2" in diag.message
    assert (diag.target, diag.target_key, diag.owner) == ("argument", "pkg/low.py:drop", "test_a")


def test_ambiguous_method_on_an_opaque_fixture_is_silent(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app.py": "def store(session):\n    session.add(1)\n",
        "conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\ndef db():\n    return connect()\n",
        "test_a.py": "from app import store\n\ndef test_a(db):\n    store(db)\n",
    })  # fmt: skip
    assert _codes(root) == []


def test_warm_run_reuses_summaries(tmp_path: Path) -> None:
    root = _write(tmp_path, {"app.py": SETTINGS, "test_a.py": "from app import cfg\n\ndef test_a():\n    cfg()\n"})
    cache = str(tmp_path / ".cache")
    first = lint(root, cache_dir=cache)
    second = lint(root, cache_dir=cache)
    assert first.extracted == 2 and second.extracted == 0


def test_unittest_methods_are_tests_and_a_patched_out_memo_is_silent(tmp_path: Path) -> None:
    # black's tests patch find_user_pyproject_toml with its __wrapped__ while they set XDG_CONFIG_HOME
    root = _write(tmp_path, {
        "app.py": SETTINGS,
        "test_a.py": (
            "import os\nimport unittest\nfrom unittest.mock import patch\n\nimport app\n\n\n"
            "class BaseTestCase(unittest.TestCase):\n    pass\n\n\n"
            "class AppTests(BaseTestCase):\n"
            "    def test_cached(self):\n"
            "        with patch.dict('os.environ', {'A': '1'}):\n"
            "            self.assertEqual(app.cfg(), '1')\n\n"
            "    @patch('app.cfg', app.cfg.__wrapped__)\n"
            "    def test_unwrapped(self):\n"
            "        with patch.dict('os.environ', {'A': '1'}):\n"
            "            self.assertEqual(app.cfg(), '1')\n\n\n"
            "class Helper:\n"
            "    def test_like(self):\n"
            "        with patch.dict('os.environ', {'A': '1'}):\n"
            "            app.cfg()\n"
        ),
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 15, "SLK601")]


def test_calls_in_a_tests_decorators_are_not_the_tests(tmp_path: Path) -> None:
    # django's template tests: @setup(templates) fills a module dict once, at import
    root = _write(tmp_path, {
        "app.py": "def setup(templates):\n    templates['inclusion.html'] = ''\n    return lambda f: f\n",
        "test_a.py": "from app import setup\n\nTEMPLATES = {}\n\n\n@setup(TEMPLATES)\ndef test_a():\n    pass\n\n\n"
        "def test_b():\n    setup(TEMPLATES)\n",
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 12, "SLK603")]


def test_a_decorators_patch_counts_and_a_nested_definitions_decorator_is_the_tests_call(tmp_path: Path) -> None:
    """Decorators are told from the body by line (they end above ``def``): a multi-line patch
    decorator still patches, a decorated function nested in the body still calls."""
    root = _write(tmp_path, {
        "app.py": "import functools, os\n\n\n@functools.cache\ndef cfg():\n    return os.environ.get('A')\n\n\n"
        "def setup(templates):\n    templates['inclusion.html'] = ''\n    return lambda f: f\n",
        "test_a.py": "import os\nfrom unittest import mock\n\nfrom app import cfg, setup\n\nTEMPLATES = {}\n\n\n"
        "@mock.patch.dict(\n    os.environ,\n    {'A': '1'},\n)\ndef test_a():\n    assert cfg()\n\n\n"
        "def test_b():\n    @setup(TEMPLATES)\n    def inner():\n        pass\n",
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 14, "SLK601"), ("test_a.py", 18, "SLK603")]


def test_reset_fixture_that_misses_a_cache_names_both(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app.py": "import functools, os\n\n@functools.cache\ndef settings():\n    return os.environ.get('D')\n\n"
        "@functools.cache\ndef db_url():\n    return 'db:' + settings()\n",
        "conftest.py": "import pytest\nimport app\n\n@pytest.fixture(autouse=True)\ndef _reset(monkeypatch, tmp_path):\n"
        "    monkeypatch.setenv('D', str(tmp_path))\n    app.settings.cache_clear()\n",
        "test_a.py": "from app import db_url\n\ndef test_a():\n    assert db_url()\n",
    })  # fmt: skip
    [diag] = [d for d in lint(root).diagnostics if d.code == "SLK601"]
    assert "fixture '_reset' clears settings() but not db_url()" in diag.message
    assert diag.fix_title == "call db_url.cache_clear() in '_reset' too"
    assert (diag.line, diag.target_key) == (4, "app.py:db_url")


_SETTINGS_MODULE = "import functools, os\n\n\n@functools.lru_cache\ndef get_config():\n    return os.environ.get('APP_DEBUG')\n"
_SETTINGS_TEST = (
    "import numpy as np\nfrom app.settings import get_config\n\n\n"
    "def test_debug(monkeypatch):\n    monkeypatch.setenv('APP_DEBUG', '1')\n    np.zeros(3)\n    assert get_config()\n"
)


def test_only_calls_into_the_project_are_recorded(tmp_path: Path) -> None:
    from sessionlint.modules import ModuleFinder

    root = _write(tmp_path, {"app/__init__.py": "", "app/settings.py": _SETTINGS_MODULE, "tests/test_s.py": _SETTINGS_TEST})
    path = str(root / "tests" / "test_s.py")
    facts = extract_text(path, _SETTINGS_TEST, Settings(root=str(root)), modules=ModuleFinder(str(root)))
    record = facts.rule_data["SLK6"]
    assert isinstance(record, FileRecord)
    assert [call.target for unit in record.units for call in unit.calls] == ["app.settings.get_config"]
    assert facts.assumed_absent == ("numpy",) and facts.assumed_search == (str(root), ())
    # a test file that imports nothing of the project records no test (its fixtures still count)
    alone = extract_text(path, _SETTINGS_TEST.replace("app.settings", "lib.settings"), Settings(root=str(root)), modules=ModuleFinder(str(root)))
    assert "SLK6" not in alone.rule_data and alone.assumed_absent == ("lib.settings.get_config", "numpy")


def test_a_package_added_after_a_cached_run_is_seen(tmp_path: Path) -> None:
    from sessionlint.engine import Engine

    root = _write(tmp_path, {"tests/test_s.py": _SETTINGS_TEST})
    cache = str(tmp_path / "cache")
    settings = Settings(root=str(root))
    first = Engine(settings, cache_dir=cache).lint([str(root)])
    assert not [d for d in first.diagnostics if d.code == "SLK601"]
    write(root, {"app/__init__.py": "", "app/settings.py": _SETTINGS_MODULE})
    again = Engine(settings, cache_dir=cache).lint([str(root)])
    assert [d.code for d in again.diagnostics if d.code.startswith("SLK6")] == ["SLK601"]
    assert again.extracted >= 1  # the cached test file was read again
    warm = Engine(settings, cache_dir=cache).lint([str(root)])
    assert [d.code for d in warm.diagnostics if d.code.startswith("SLK6")] == ["SLK601"] and warm.extracted == 0


def test_module_finder_searches_like_a_test_run(tmp_path: Path) -> None:
    from sessionlint.modules import ModuleFinder

    root = _write(tmp_path, {"src/app/__init__.py": "", "ns/sub.py": "", "tests/helpers.py": "", "tests/test_a.py": ""})
    finder = ModuleFinder(str(root))
    test = str(root / "tests" / "test_a.py")
    assert finder.find("app", test) == str(root / "src" / "app" / "__init__.py")
    assert finder.find("helpers", test) == str(root / "tests" / "helpers.py")
    assert finder.leads_to_project("ns.sub.NAME", test)  # a namespace package's module
    assert finder.leads_to_project(".anything", test)
    assert not finder.leads_to_project("numpy.testing.assert_equal", test)
    assert finder.still_absent(("numpy", "requests.get"), test)
    assert ModuleFinder(str(root / "tests")).find("app", test) is None  # nothing above the root


PYDANTIC_CONFIG = (
    "from pydantic_settings import BaseSettings, SettingsConfigDict\nfrom pydantic import Field\n\n\n"
    "class Settings(BaseSettings):\n    admin_email: str\n    token: str = Field('', alias='API_TOKEN')\n\n"
    "class Prefixed(Settings):\n    model_config = SettingsConfigDict(env_prefix='app_')\n    debug: bool = False\n\n"
    "class Mixed(Settings, SomeMixin):\n    other: int = 0\n"
)


def test_pydantic_settings_class_reads_its_fields_from_the_environment(tmp_path: Path) -> None:
    facts = extract_text(str(tmp_path / "config.py"), PYDANTIC_CONFIG, Settings(root=str(tmp_path)))
    functions = facts.rule_data["SLK6"].functions
    assert functions["Settings"].env == {"ADMIN_EMAIL", "API_TOKEN"}
    assert functions["Prefixed"].env == {"APP_ADMIN_EMAIL", "API_TOKEN", "APP_DEBUG"}
    assert "Mixed" not in functions  # a base not known: say nothing


def test_memoized_settings_getter_through_a_relative_module_import(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": PYDANTIC_CONFIG,
        "app/main.py": "from functools import lru_cache\n\nfrom . import config\n\n\n"
        "@lru_cache\ndef get_settings():\n    return config.Settings()\n",
        "test_main.py": "from app import main\n\n\ndef test_settings(monkeypatch):\n"
        "    monkeypatch.setenv('ADMIN_EMAIL', 'a@b.c')\n    assert main.get_settings()\n\n\n"
        "def test_unrelated_variable(monkeypatch):\n    monkeypatch.setenv('HOME', '/x')\n    assert main.get_settings()\n",
    })  # fmt: skip
    assert _codes(root) == [("test_main.py", 6, "SLK601")]


def test_settings_instance_at_import_time_is_import_time_state(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": PYDANTIC_CONFIG + "\nsettings = Settings()\n",
        "test_config.py": "def test_email(monkeypatch):\n    monkeypatch.setenv('ADMIN_EMAIL', 'a@b.c')\n"
        "    from app.config import settings\n    assert settings.admin_email == 'a@b.c'\n",
    })  # fmt: skip
    assert _codes(root) == [("test_config.py", 3, "SLK602")]


def test_class_state_through_a_base_of_the_module_and_a_classmethod(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app/__init__.py": "",
        "app/plugins.py": "class Base:\n    registry = []\n\n    @classmethod\n    def add(cls, p):\n"
        "        cls.registry.append(p)\n\n\nclass Loader(Base):\n    def load(self, p):\n        self.add(p)\n\n\n"
        "class Foreign(dict):\n    names = []\n\n    def add(self, n):\n        self.names.append(n)\n",
        "conftest.py": "import pytest\nfrom app.plugins import Foreign, Loader\n\n\n@pytest.fixture\ndef loader():\n"
        "    return Loader()\n\n\n@pytest.fixture\ndef foreign():\n    return Foreign()\n",
        "test_a.py": "def test_add(loader):\n    loader.add('x')\n\n\ndef test_load(loader):\n    loader.load('x')\n\n\n"
        "def test_foreign(foreign):\n    foreign.add('x')\n",
    })  # fmt: skip
    # load() calls add() through self: a call is not a write the summary follows (precision first)
    assert _codes(root) == [("test_a.py", 2, "SLK604")]


def test_class_state_reset_by_an_autouse_fixture_is_silent(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app/__init__.py": "",
        "app/reg.py": "class Reg:\n    items = {}\n\n    def put(self, k, v):\n        self.items[k] = v\n",
        "conftest.py": "import pytest\nfrom app.reg import Reg\n\n\n@pytest.fixture\ndef reg():\n    return Reg()\n\n\n"
        "@pytest.fixture(autouse=True)\ndef _reset():\n    yield\n    Reg.items.clear()\n",
        "test_a.py": "def test_put(reg):\n    reg.put('k', 1)\n",
    })  # fmt: skip
    assert _codes(root) == []
    (root / "conftest.py").write_text((root / "conftest.py").read_text().replace("autouse=True", ""))
    assert _codes(root) == [("test_a.py", 2, "SLK604")]


def test_a_clear_before_the_patch_leaves_the_patched_result_cached(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app.py": SETTINGS,
        "test_a.py": "import app\n\n\ndef test_before(monkeypatch):\n    app.cfg.cache_clear()\n"
        "    monkeypatch.setenv('A', '1')\n    assert app.cfg()\n\n\n"
        "def test_after(monkeypatch):\n    monkeypatch.setenv('A', '1')\n    assert app.cfg()\n    app.cfg.cache_clear()\n\n\n"
        "def test_again(monkeypatch):\n    monkeypatch.setenv('A', '1')\n    app.cfg()\n    app.cfg.cache_clear()\n    app.cfg()\n",
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 7, "SLK601"), ("test_a.py", 20, "SLK601")]


def test_a_test_run_in_a_subprocess_is_silent(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "app.py": SETTINGS + "\nROOT = os.environ.get('A')\n",
        "test_a.py": "import pytest\nfrom helpers import run_in_subprocess\n\n\n@run_in_subprocess\n"
        "def test_sub(monkeypatch):\n    monkeypatch.setenv('A', '1')\n    from app import cfg\n    assert cfg()\n\n\n"
        "@pytest.mark.forked\ndef test_forked(monkeypatch):\n    monkeypatch.setenv('A', '1')\n    import app\n    assert app.cfg()\n",
    })  # fmt: skip
    assert _codes(root) == []


def test_a_clear_before_the_call_in_a_class_or_beside_an_xunit_teardown_is_trusted(tmp_path: Path) -> None:
    body = "    monkeypatch.setenv('A', '1')\n    app.cfg.cache_clear()\n    assert app.cfg()\n"
    root = _write(tmp_path, {
        "app.py": SETTINGS,
        "test_a.py": "import app\nfrom helpers import Mixin\n\n\nclass TestCfg(Mixin):\n    def test_in_class(self, monkeypatch):\n"
        + body.replace("    ", "        ")
        + "\n\nclass TestSetup:\n    def setup_method(self):\n        pass\n\n    def test_in_class(self, monkeypatch):\n"
        + body.replace("    ", "        "),
        "test_b.py": "import app\n\n\ndef teardown_function():\n    app.cfg.cache_clear()\n\n\n"
        "def test_b(monkeypatch):\n" + body,
    })  # fmt: skip
    assert _codes(root) == []


def test_a_clear_before_the_call_in_a_plain_test_class_leaves_the_patched_result(tmp_path: Path) -> None:
    """A class with no base and no setup or teardown method: nothing but fixtures runs around its
    tests, so a clear before the patch and the call is what it looks like (hatch's TestUserAgent)."""
    body = "        app.cfg.cache_clear()\n        monkeypatch.setenv('A', '1')\n        assert app.cfg()\n"
    root = _write(tmp_path, {
        "app.py": SETTINGS,
        "test_a.py": "import app\n\n\nclass TestCfg:\n    def test_before(self, monkeypatch):\n" + body
        + "\n    def test_after(self, monkeypatch):\n        monkeypatch.setenv('A', '1')\n"
        "        assert app.cfg()\n        app.cfg.cache_clear()\n",
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 8, "SLK601")]


def test_summary_of_methods_and_module_level_instances(tmp_path: Path) -> None:
    text = (
        "import functools, os\n\n"
        "class Base:\n    def load(self):\n        return os.environ.get('B')\n\n"
        "class Store(Base):\n"
        "    @classmethod\n    @functools.cache\n    def available(cls):\n        return cls.probe()\n\n"
        "    @staticmethod\n    def probe():\n        return os.getenv('P')\n\n"
        "    @functools.lru_cache\n    def token(self):\n        return self.load()\n\n"
        "    @functools.cached_property\n    def default(self):\n        return self.name\n\n"
        "    @property\n    def name(self):\n        from app.util import name\n        return name()\n\n"
        "    @other.decorator\n    def hidden(self):\n        return os.getenv('H')\n\n"
        "store = Store()\n"
    )
    facts = extract_text(str(tmp_path / "app.py"), text, Settings(root=str(tmp_path)))
    summary = facts.rule_data["SLK6"]
    functions = summary.functions
    assert functions["Store.available"].memo and functions["Store.available"].memo_scope == ""
    assert functions["Store.available"].calls == ("Store.probe",)
    assert functions["Store.token"].memo_scope == "instance" and functions["Store.token"].calls == ("Base.load",)
    assert functions["Store.default"].memo and functions["Store.default"].prop
    assert functions["Store.default"].calls == ("Store.name",)  # reading a property runs it
    assert functions["Store.name"].calls == ("app.util.name",) and not functions["Store.name"].memo
    assert "Store.hidden" not in functions  # a decorator of unknown effect: not followed
    assert summary.instances == {"store": "Store"} and summary.members["Store"] == ("Store", "Base")


def test_a_method_cache_counts_only_on_a_module_level_instance(tmp_path: Path) -> None:
    """A method's lru_cache keys on ``self``: only a module-level instance shares it across tests."""
    root = _write(tmp_path, {
        "app.py": "import functools, os\n\nclass K:\n    @functools.lru_cache\n    def token(self):\n"
        "        return os.environ.get('T')\n\nshared = K()\n",
        "test_a.py": "import app\nfrom app import K, shared\n\n\ndef test_own(monkeypatch):\n"
        "    monkeypatch.setenv('T', '1')\n    k = K()\n    assert k.token()\n\n\n"
        "def test_module_attribute(monkeypatch):\n    monkeypatch.setenv('T', '1')\n    assert app.shared.token()\n\n\n"
        "def test_shared(monkeypatch):\n    monkeypatch.setenv('T', '1')\n    assert shared.token()\n",
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 13, "SLK601"), ("test_a.py", 18, "SLK601")]


def test_repeated_calls_are_recorded_once_only_when_nothing_is_timed(tmp_path: Path) -> None:
    """A whole-repository run records every call into the project; a test with no patch or clear
    keeps one call per target, a test with one keeps each (the patch covers only the second)."""
    root = _write(tmp_path, {
        "app.py": SETTINGS,
        "test_a.py": "import os\nfrom unittest import mock\nfrom app import cfg\n\n\n"
        "def test_timed():\n    cfg()\n    with mock.patch.dict(os.environ, {'A': '1'}):\n        cfg()\n\n\n"
        "def test_untimed(env_a):\n    cfg()\n    cfg()\n",
        "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef env_a(monkeypatch):\n    monkeypatch.setenv('A', '1')\n",
    })  # fmt: skip
    assert _codes(root) == [("test_a.py", 9, "SLK601"), ("test_a.py", 13, "SLK601")]
    facts = extract_text(str(root / "test_a.py"), (root / "test_a.py").read_text(), Settings(root=str(root)))
    units = {u.name: u for u in facts.rule_data["SLK6"].units}
    assert len(units["test_timed"].calls) == 2 and len(units["test_untimed"].calls) == 1


def test_a_base_defined_elsewhere_stops_the_lookup(tmp_path: Path) -> None:
    text = (
        "import functools, os\nfrom lib import Mixin\n\nclass Base:\n    @classmethod\n    @functools.cache\n"
        "    def load(cls):\n        return os.environ.get('B')\n\n"
        "class Local(Base):\n    pass\n\nclass Mixed(Mixin, Base):\n    pass\n"
    )
    summary = extract_text(str(tmp_path / "app.py"), text, Settings(root=str(tmp_path))).rule_data["SLK6"]
    from sessionlint.rules.code_state.summary import member

    assert member(summary, "Local", "load") == "Base.load"
    assert member(summary, "Mixed", "load") is None  # Mixin, listed first, may define it
