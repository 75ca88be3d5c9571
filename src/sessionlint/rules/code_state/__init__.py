"""SLK6xx: state kept by the code under test (caches, import-time values, mutated arguments, shared
instances, registries).

Per file, ``check_file`` stores a summary of each first-party (non-test)
module and a record of what each test and fixture of a test file does, in
``FileFacts.rule_data`` (cached with the other facts). Only modules that
tests reach by import are ever read: ``check_project`` loads them through
``Project.get`` as it follows the imports. Fixers live in ``fix.py``,
imported only to fix.
"""

from __future__ import annotations

from typing import Iterator

from sessionlint.context import FileContext
from sessionlint.index import Project
from sessionlint.model import Diagnostic
from sessionlint.rules.base import Example, Rule
from sessionlint.rules.code_state.arguments import mutates_argument
from sessionlint.rules.code_state.checks import KEY, WORDS, Facts, memo_outlives_patch
from sessionlint.rules.code_state.imports import import_under_patch
from sessionlint.rules.code_state.instances import (
    KEY as INSTANCES,
    InstanceRecord,
    class_state_written,
    handing_out,
    mentions_of,
    record_instances,
)
from sessionlint.rules.code_state.fills import (
    KEY as REGISTRIES,
    RegistryRecord,
    record_registries,
    registry_filled,
)
from sessionlint.rules.code_state.order import KEY as ORDER, OrderRecord, record_order
from sessionlint.rules.code_state.memos import words
from sessionlint.rules.code_state.summary import summarize
from sessionlint.rules.code_state.units import FileRecord, record

_SETTINGS = '''import functools
import os


@functools.lru_cache
def get_config():
    return {"debug": os.environ.get("APP_DEBUG") == "1"}
'''
_LAZY = '''import os

_settings = None


def get_settings():
    global _settings
    if _settings is None:
        _settings = {"env": os.environ.get("APP_ENV", "dev")}
    return _settings
'''

_CONSTANTS = '''import os

BIN_ROOT = os.environ.get("BIN_ROOT", "/usr/bin")
'''
_CAST = '''def validate_types(row):
    total = row.pop("total")
    return total >= 0
'''
_PLUGINS = '''_PLUGINS = {}


def register(name, plugin):
    _PLUGINS[name] = plugin
'''
_REGISTRY = '''class Registry:
    handlers = {}

    def register(self, name, func):
        self.handlers[name] = func
'''

RULES = [
    Rule(
        code="SLK601",
        name="memoized-function-outlives-patch",
        summary="a test patches an input of a memoized first-party function and calls it without clearing its cache",
        fix="sometimes",
        what="Flags a test or fixture that patches what a memoized function of the project reads "
        "(`monkeypatch.setenv`, `mock.patch.dict(os.environ, ...)`, `os.environ[...] = `, "
        "`monkeypatch.setattr`/`mock.patch` of a module global or of a function it calls) and then calls "
        "that function, directly or through other first-party functions, while nothing clears its cache: "
        "no `cache_clear()` in the test after the call, in a fixture it requests, or in an autouse fixture "
        "it sees (a clear in the test before the patch and the call leaves the patched result cached). "
        "Memoized means decorated with `functools.lru_cache` or `functools.cache` (with or without call, "
        "aliases resolved): a module-level function, a classmethod or staticmethod (one cache for every "
        "caller), or a method or `functools.cached_property` of a module-level instance (`keyring = "
        "Keyring()`; on an instance the test makes itself, the cache is keyed on that instance and is "
        "silent). Hand-written memos count too (one for every caller): a module-level function that fills a "
        "module global bound once to `{}`/`dict()`/`OrderedDict()`/`defaultdict(...)` only under a guard "
        "about it (`if key not in _cache:`, `if key in _cache: return ...`, `_cache.get(key) is None`, "
        "`try: return _cache[key]` / `except KeyError:`), or a lazy singleton: a global bound to `None` "
        "that the function fills under `global _settings` / `if _settings is None:` (or `_settings = "
        "_settings or make()`); the message names the global and the function of its module that resets "
        "it. A global filled on every call is plain state (silent here), as is one whose guard is about "
        "another name. Such a memo is silent when anything may reset it: the test module, a conftest or "
        "plugin it sees, or a module defining a fixture it can request names the global (`app.config."
        "_settings = None`, `config._cache.clear()`, `monkeypatch.setattr(config, '_settings', None)`, "
        "`mock.patch('app.config._settings', None)`, `mock.patch.object`/`mock.patch.dict` of it) or a "
        "function of its module that writes it (`reset_settings`); the test or a fixture it uses calls, a "
        "few levels deep, a project function that writes it, reloads a module (`importlib.reload`) or "
        "edits `sys.modules`. Calls are followed through the project's classes where the class is certain: "
        "`Index(url).client`, `index = Index(url)` then `index.headers()`, properties and methods called "
        "through `self`, functions a method imports in its body; a method with another decorator is not "
        "followed. A module a fixture of the test file loads with `importlib.import_module(...)` "
        "of a provable name counts as imported (`main_mod.get_settings()`). "
        "The project's modules are read only when tests import them. "
        "Also flags a cache-reset fixture (one that calls `cache_clear()`, autouse or requested) that "
        "clears some memoized functions of a module but not one the test reaches: its own patches "
        "(`monkeypatch.setenv('DATA_DIR', str(tmp_path))`) then count for that function. "
        "`unittest.TestCase` methods count as tests; calls made by a test's decorators (they run at "
        "import) do not; tests run in another process (`@pytest.mark.forked`, a decorator named for a "
        "subprocess or a fork) are silent; a test that patches the memoized function itself (or a function on the way "
        "to it, e.g. with its `__wrapped__`) is silent.",
        why="`lru_cache` keeps the first result for the rest of the session. The patch is undone after "
        "the test, the cached value is not: every later test gets the result computed under the patch. "
        "Run the other way round, the patching test gets a value cached before its patch and fails.",
        example="""
# app/settings.py
@functools.lru_cache
def get_config():
    return {"debug": os.environ.get("APP_DEBUG") == "1"}

# test_settings.py
def test_debug(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert get_config()["debug"]
""",
        use_instead="""
@pytest.fixture(autouse=True)
def _clear_get_config_cache():
    get_config.cache_clear()
    yield
    get_config.cache_clear()


def test_debug(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert get_config()["debug"]
""",
        fix_safety="Unsafe: the fix adds to the test module an autouse fixture that clears the cache "
        "before and after each of its tests, when the module imports the memoized function (or its "
        "module) at top level; for a hand-written memo, the fixture sets the global back to `None` (a "
        "lazy singleton) or calls its `.clear()` (a memo dict), importing its module when the test module "
        "does not. Clearing a cache changes timing and, for caches that hold objects compared "
        "by identity, what tests see.",
        references=("https://docs.python.org/3/library/functools.html#functools.lru_cache",),
        valid=(
            "import functools\n\n\n@functools.lru_cache\ndef config():\n    return 1\n\n\n"
            "def test_config(monkeypatch):\n    monkeypatch.setenv('X', '1')\n    assert config() == 1\n",
        ),
        invalid=(
            Example(
                "from app.settings import get_config\n\n\ndef test_debug(monkeypatch):\n"
                '    monkeypatch.setenv("APP_DEBUG", "1")\n    assert get_config()["debug"]\n',
                fixed="import pytest\nfrom app.settings import get_config\n\n\n@pytest.fixture(autouse=True)\n"
                "def _clear_get_config_cache():\n    get_config.cache_clear()\n    yield\n"
                "    get_config.cache_clear()\n\n\ndef test_debug(monkeypatch):\n"
                '    monkeypatch.setenv("APP_DEBUG", "1")\n    assert get_config()["debug"]\n',
                unsafe=True,
                files={"app/__init__.py": "", "app/settings.py": _SETTINGS},
            ),
            Example(
                "from app.config import get_settings\n\n\ndef test_prod(monkeypatch):\n"
                '    monkeypatch.setenv("APP_ENV", "prod")\n    assert get_settings()["env"] == "prod"\n',
                fixed="import pytest\nimport app.config\nfrom app.config import get_settings\n\n\n"
                "@pytest.fixture(autouse=True)\ndef _reset_settings_memo():\n    app.config._settings = None\n"
                "    yield\n    app.config._settings = None\n\n\ndef test_prod(monkeypatch):\n"
                '    monkeypatch.setenv("APP_ENV", "prod")\n    assert get_settings()["env"] == "prod"\n',
                unsafe=True,
                files={"app/__init__.py": "", "app/config.py": _LAZY},
            ),
        ),
    ),
    Rule(
        code="SLK602",
        name="import-time-state-under-patch",
        summary="a test imports a first-party module whose import-time values read what it patched",
        fix="none",
        what="Flags an import inside a test (`import app.constants`, `from app.constants import BIN_ROOT`, "
        "`importlib.import_module(...)`, `__import__(...)`) that runs while the test, or a fixture it requests, patches what "
        "a module-level name of that module is computed from at import time: `os.environ` (directly or "
        "through a function of the module), the working directory, the clock. A name computed for "
        "`import_module` counts when it is provable: a constant, or an f-string or `+` over constants, "
        "`request.param` of a fixture whose `params` are string constants, and fixtures of the same file "
        "that hand out such strings (each value is an import); any other name is silent. Also flags an "
        "import inside a test of a package's `__main__` module that runs the program at its top level "
        "(`main()` outside `if __name__ == \"__main__\":`): only the first import in a session runs it. "
        "Silent when the test reloads the module or edits `sys.modules`, or a fixture it requests purges "
        "`sys.modules` before the test (before `yield`; a purge only after `yield` comes too late for the "
        "test's own import, and the message says so), when the import is expected to fail (inside "
        "`pytest.raises(...)`: a failed import is not kept), when the test module imports it at top level "
        "anyway, and when the test runs in another process (`@pytest.mark.forked`, `@run_in_subprocess`). "
        "A pydantic `BaseSettings` subclass instantiated at module level (`settings = Settings()`) "
        "reads its fields from the environment.",
        why="A module runs once per session: the second import is a no-op. Whether `BIN_ROOT` holds the "
        "patched value depends on whether this test or another one imported the module first, so the "
        "test passes alone and fails after another test (or the reverse).",
        example="""
def test_custom_bin_root():
    with mock.patch.dict(os.environ, {"BIN_ROOT": "/opt/bin"}):
        from app.constants import BIN_ROOT
    assert BIN_ROOT == "/opt/bin"
""",
        use_instead="""
def test_custom_bin_root(monkeypatch):
    monkeypatch.setattr("app.constants.BIN_ROOT", "/opt/bin")
    from app.constants import BIN_ROOT
    assert BIN_ROOT == "/opt/bin"
""",
        fix_safety="No fix: whether to patch the name, reload the module, or compute the value lazily "
        "is a design choice.",
        references=("https://docs.python.org/3/reference/import.html#the-module-cache",),
        valid=(
            "import importlib\nimport os\n\n\ndef test_reload(monkeypatch):\n    monkeypatch.setenv('X', '1')\n"
            "    import json\n    importlib.reload(json)\n",
        ),
        invalid=(
            Example(
                "import os\nfrom unittest import mock\n\n\ndef test_custom_bin_root():\n"
                '    with mock.patch.dict(os.environ, {"BIN_ROOT": "/opt/bin"}):\n'
                "        from app.constants import BIN_ROOT\n"
                '    assert BIN_ROOT == "/opt/bin"\n',
                files={"app/__init__.py": "", "app/constants.py": _CONSTANTS},
            ),
        ),
    ),
    Rule(
        code="SLK603",
        name="first-party-function-mutates-shared-argument",
        summary="a test passes a shared value to a first-party function that writes into that argument",
        fix="sometimes",
        what="Flags a test that passes a broad fixture's value (class, module, package or session scope, "
        "or module state a fixture hands out) or a module-level container of the test module to a "
        "function of the project that writes into that parameter: item assignment, `del p[k]`, "
        "`p.pop(...)`, `p.append(...)` and the other in-place container methods, directly or one or two "
        "calls further. A parameter the function rebinds anywhere (`row = dict(row)`) is never "
        "counted. The message names the chain and the line of the write.",
        why="The function changes the object every later test receives. The test that calls it passes; "
        "the next one sees a dict without its `total` key.",
        example="""
# app/cast.py
def validate_types(row):
    total = row.pop("total")
    ...

# test_cast.py
def test_validate(extracted):  # extracted: session-scoped
    assert validate_types(extracted)
""",
        use_instead="""
def test_validate(extracted):
    assert validate_types(copy.deepcopy(extracted))
""",
        fix_safety="Unsafe: the fix passes `copy.deepcopy(name)` instead of the shared value; a deep "
        "copy costs time on large values and breaks tests that rely on the function changing the object.",
        references=("https://docs.pytest.org/en/stable/how-to/fixtures.html#scope-sharing-fixtures-across-classes-modules-packages-or-session",),
        valid=(
            "import json\n\nROW = {'total': 1}\n\n\ndef test_row():\n    assert json.dumps(ROW)\n",
        ),
        invalid=(
            Example(
                "from app.cast import validate_types\n\nROW = {\"total\": 3}\n\n\n"
                "def test_validate():\n    assert validate_types(ROW)\n",
                fixed="import copy\nfrom app.cast import validate_types\n\nROW = {\"total\": 3}\n\n\n"
                "def test_validate():\n    assert validate_types(copy.deepcopy(ROW))\n",
                unsafe=True,
                files={"app/__init__.py": "", "app/cast.py": _CAST},
            ),
        ),
    ),
    Rule(
        code="SLK604",
        name="test-writes-class-shared-state",
        summary="a test writes state a first-party class keeps for all its instances, through a fixture's instance",
        fix="none",
        what="Flags a test that, through an instance a fixture hands out (of any scope), writes state "
        "the class keeps for every instance: it calls a method that writes into a mutable class "
        "attribute through `self` (`self.handlers[name] = func` where `handlers = {}` is in the class "
        "body), or writes into that attribute itself (`registry.handlers['x'] = f`, "
        "`registry.names.append(...)`); or, when the fixture hands out a singleton from a classmethod "
        "factory that keeps it in `cls._instance` (`Config.instance()`), calls a method that writes to "
        "`self` or writes an attribute of it. The class is read from the project's module the fixture "
        "imports it from. Silent when a method rebinds the attribute on the instance (`self.handlers = {}` "
        "in `__init__`), when the class has a metaclass, decorators or a base defined elsewhere, when "
        "the fixture has teardown code after `yield`, and when the test (by a string, as in "
        "`monkeypatch.setattr(Registry, 'handlers', {})`), a fixture it requests or an autouse fixture "
        "names the attribute (a reset). The other singleton shapes count as well: a class whose `__new__` "
        "keeps the one instance in `cls._instance` and returns it (`Config()` is then the singleton; what "
        "`__init__` assigns is reset by every call and is not counted), and a module-level instance "
        "(`_registry = Registry()`, or one created lazily under `global`) that a function of the module "
        "returns (`get_registry()`): a method that writes to `self` writes what every holder sees. A write "
        "SLK201 already reports (the fixture's value is shared state, SLK101/SLK102) is not reported again.",
        why="A class attribute is created once, with the class: every instance, in every test, shares "
        "it, so a fresh instance per test does not give a fresh registry. What one test registers, "
        "the next one finds. A singleton is one object for the whole session, whatever the fixture's "
        "scope.",
        example="""
# app/registry.py
class Registry:
    handlers = {}

    def register(self, name, func):
        self.handlers[name] = func

# test_registry.py
@pytest.fixture
def registry():
    return Registry()


def test_register(registry):
    registry.register("ping", print)
""",
        use_instead="""
@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(Registry, "handlers", {})
    return Registry()
""",
        fix_safety="No fix: whether to reset the attribute, make it an instance attribute, or reset "
        "the singleton is a design choice.",
        references=("https://docs.python.org/3/tutorial/classes.html#class-and-instance-variables",),
        valid=(
            "import pytest\n\n\nclass Local:\n    items = []\n\n\n@pytest.fixture\ndef local():\n"
            "    return Local()\n\n\ndef test_local(local):\n    local.items.append(1)\n",
        ),
        invalid=(
            Example(
                "import pytest\nfrom app.registry import Registry\n\n\n@pytest.fixture\ndef registry():\n"
                "    return Registry()\n\n\ndef test_register(registry):\n"
                '    registry.register("ping", print)\n',
                files={"app/__init__.py": "", "app/registry.py": _REGISTRY},
            ),
        ),
    ),
    Rule(
        code="SLK605",
        name="test-fills-module-registry",
        summary="(preview) a test calls a first-party function that fills a module-level registry, and nothing undoes it",
        fix="none",
        what="Preview: off unless selected by its full code (`--select SLK605`, `--extend-select SLK605`, "
        "or `extend-select = [\"SLK605\"]` in `[tool.sessionlint]`; `SLK6` and `SLK` do not take it in), "
        "because on projects nobody tuned it on 7 of its 11 findings were ones a maintainer would accept "
        "(`bench/code_state_apps3.md`, `code_state_apps4.md`), short of 9 in 10. "
        "Flags a test, or a function-scoped fixture without teardown, that calls a function of the "
        "project which writes one of its arguments into a module-level container of its own module "
        "(`_PLUGINS[name] = plugin`, `.append`/`.add`/`.setdefault`/`.update`/`.extend`/`.insert`; "
        "a decorator `@register` storing `cls.__name__` counts), directly or through one function of "
        "the module it calls. The container is a dict, list or set display or constructor bound at "
        "module level. Silent when the test, a fixture it requests, an autouse fixture it sees or its "
        "class's xunit setups and teardowns name the container (`mock.patch.dict(plugins._PLUGINS)`, "
        "`monkeypatch.setattr(plugins, '_PLUGINS', {})`, `monkeypatch.setitem(...)`) or a function of "
        "that module that empties it (one that pops, deletes, clears, removes or rebinds it: "
        "`unregister(...)`, `clear_plugins()`, wherever it is called: in a `finally`, after `yield`, "
        "in `addCleanup`); when the call is at module level of the test module (it runs once, at "
        "import); when the test registers, as a literal first argument, a key the module registers "
        "itself at import (a dict display's key, a module-level `register('csv', ...)`, `@register` on "
        "a class): registering it again changes nothing. A function that rebinds the global wholesale "
        "(`_PLUGINS = {...}` under `global`), that writes a value built from none of its arguments, "
        "or that returns what it keeps (a memo: `return _cache.setdefault(key, make(key))`) fills no "
        "registry, nor does `_cache.setdefault(key, {})` (a memo's table per key); nor does a generator or context manager (it can take the entry back after `yield`), "
        "nor a function that hands none of its own arguments to the one that fills (it registers the "
        "same entries on every call, as a `_register_default_types()` run at import does), or hands it "
        "only parameters that default to None (`create(schema, version=None)` registers only when given "
        "a version).",
        why="A module-level registry lives as long as the module: for the whole session. What one test "
        "registers stays for every later test, so a test that counts the plugins, lists the handlers "
        "or expects a name to be free passes alone and fails after it (or the reverse, when a test "
        "relies on another one's registration).",
        example="""
# app/plugins.py
_PLUGINS = {}

def register(name, plugin):
    _PLUGINS[name] = plugin

# test_plugins.py
def test_custom_plugin():
    register("dummy", DummyPlugin)
    assert get_plugin("dummy") is DummyPlugin
""",
        use_instead="""
def test_custom_plugin():
    with mock.patch.dict(plugins._PLUGINS):
        register("dummy", DummyPlugin)
        assert get_plugin("dummy") is DummyPlugin
""",
        fix_safety="No fix: whether to patch the container, unregister in a `finally` or give the "
        "project a reset function is a design choice, and which entries the module itself registers "
        "at import (to keep) is not always visible.",
        references=("https://docs.python.org/3/library/unittest.mock.html#patch-dict",),
        valid=(
            "import pytest\n\n_LOCAL = {}\n\n\ndef register(name, plugin):\n    _LOCAL[name] = plugin\n\n\n"
            "def test_local():\n    register('dummy', object)\n",
        ),
        invalid=(
            Example(
                "from app.plugins import register\n\n\ndef test_custom_plugin():\n"
                '    register("dummy", object)\n',
                files={"app/__init__.py": "", "app/plugins.py": _PLUGINS},
            ),
        ),
    ),
]


def check_file(ctx: FileContext) -> None:
    """Summarize a first-party module, or record what a test file's tests and fixtures do."""
    settings = ctx.settings
    is_test = getattr(settings, "is_test_file", None)
    if is_test is not None and not is_test(ctx.path):
        ctx.facts.rule_data[KEY] = summarize(ctx)
        if any(ctx.fixtures()):  # a fixture module: its fixtures may reset a hand-written memo
            ctx.facts.rule_data[WORDS] = words(ctx)
        return
    data = record(ctx)
    if data.units:
        ctx.facts.rule_data[KEY] = data
    registries = record_registries(ctx, data)
    if registries is not None:
        ctx.facts.rule_data[REGISTRIES] = registries
    if data.units or any(ctx.fixtures()) or ctx.path.endswith("conftest.py"):  # hooks may reset too
        ctx.facts.rule_data[WORDS] = words(ctx)
    order = record_order(ctx)
    if order is not None:
        ctx.facts.rule_data[ORDER] = order
    instances = record_instances(ctx)
    if instances is not None:
        ctx.facts.rule_data[INSTANCES] = instances


def check_project(project: Project, settings: object) -> Iterator[Diagnostic]:
    immutable = frozenset(getattr(settings, "immutable_fixtures", ()) or ())
    facts = Facts(project)
    handouts: frozenset[str] | None = None
    for path, file_facts in list(project.facts.items()):
        instances = file_facts.rule_data.get(INSTANCES)
        if isinstance(instances, InstanceRecord) and instances.uses:
            if handouts is None:
                handouts = handing_out(project, facts)
            yield from class_state_written(project, facts, path, instances, handouts, immutable)
        data = file_facts.rule_data.get(KEY)
        if not isinstance(data, FileRecord):
            registries = file_facts.rule_data.get(REGISTRIES)
            if isinstance(registries, RegistryRecord):  # tests that only decorate with ``@register``
                yield from registry_filled(
                    project, facts, path, FileRecord(), registries, lambda where, key: mentions_of(project, where, key)
                )
            continue
        if not _imports_project_code(project, path, file_facts, data):
            continue
        order = file_facts.rule_data.get(ORDER)
        order = order if isinstance(order, OrderRecord) else None
        yield from memo_outlives_patch(project, facts, path, data, order)
        yield from import_under_patch(project, facts, path, data, order)
        yield from mutates_argument(project, facts, path, data, immutable)
        registries = file_facts.rule_data.get(REGISTRIES)
        if isinstance(registries, RegistryRecord):
            yield from registry_filled(
                project, facts, path, data, registries, lambda where, key: mentions_of(project, where, key)
            )


def _imports_project_code(project: Project, path: str, file_facts, data: FileRecord) -> bool:
    """Whether any module the file imports is a file of the project: every SLK6xx finding joins a
    test with first-party code it imports, so a file importing none (a test suite linted without
    its package, as the benchmark corpus is) has nothing to join and is not searched."""
    names = [(imp.module, imp.level) for imp in file_facts.imports]
    names += [(f"{imp.module}.{imp.name}" if imp.module else imp.name, imp.level) for imp in file_facts.imports]
    names += [(dotted, 0) for _expr, dotted in data.top_imports]
    names += [(dotted, 0) for unit in data.units for imp in unit.imports for dotted in imp.modules]
    return any(
        project.find_module(name, path, level) is not None for name, level in dict.fromkeys(names) if name or level
    )


__all__ = ["RULES", "check_file", "check_project"]
