"""SLK605 (registries filled by calls) and SLK604's other singleton shapes, beyond the golden samples."""

from __future__ import annotations

import pickle
from pathlib import Path

from helpers import lint, run_cli, write_project
from sessionlint.config import Settings
from sessionlint.extract import extract_text
from sessionlint.rules.code_state.registries import Registries

PLUGINS = """
    _PLUGINS = {}
    _ORDER = []


    def _store(name, plugin):
        _PLUGINS[name] = plugin


    def register(name, plugin):
        _store(name, plugin)


    def append(plugin):
        _ORDER.append(plugin)


    def unregister(name):
        del _PLUGINS[name]


    def lookup(name):
        if name not in _PLUGINS:
            _PLUGINS[name] = object()
        return _PLUGINS[name]
"""


def _found(root: Path, code: str) -> list[tuple[str, int, str]]:
    result = lint(root, Settings(root=str(root), extend_select=("SLK605",)))  # a preview rule
    assert not result.errors, result.errors
    return sorted((Path(d.path).name, d.line, d.message) for d in result.diagnostics if d.code == code)


def test_summary_records_fills_resets_and_memos(tmp_path: Path) -> None:
    text = (
        "_P = {'a': 1}\n_L = []\n\ndef _store(k, v):\n    _P[k] = v\n\ndef register(k, v):\n    _store(k, v)\n\n"
        "def memo(k):\n    return _P.setdefault(k, len(k))\n\ndef flag():\n    _P['x'] = True\n\n"
        "def drop(k):\n    _P.pop(k)\n\ndef local(v):\n    _L = []\n    _L.append(v)\n\nregister('b', 2)\n"
    )
    facts = extract_text(str(tmp_path / "plugins.py"), text, Settings(root=str(tmp_path)))
    registries = facts.rule_data["SLK6"].registries
    assert isinstance(registries, Registries)
    assert set(registries.fills) == {"_store", "register"}  # not the memo, the flag, nor a local
    assert registries.fills["register"].via == "_store" and registries.fills["_store"].key == 0
    assert registries.resets == {"drop": frozenset({"_P"})}
    assert registries.keys == {"_P": frozenset({"a", "b"})}  # the display's key and the import-time call
    assert registries.mappings == {"_P"}
    assert pickle.loads(pickle.dumps(registries)) == registries  # cached with the facts


def test_a_module_without_registries_keeps_none(tmp_path: Path) -> None:
    facts = extract_text(str(tmp_path / "m.py"), "X = {}\n\ndef read(k):\n    return X[k]\n", Settings(root=str(tmp_path)))
    assert facts.rule_data["SLK6"].registries is None


def test_message_names_the_function_the_container_and_the_remedy(tmp_path: Path, capsys) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/plugins.py": PLUGINS,
        "test_p.py": """
            from app import plugins


            def test_register():
                plugins.register("x", object)
        """,
    })  # fmt: skip
    status, out, _err = run_cli(capsys, "--isolated", "--select", "SLK605", str(root))
    assert status == 1
    assert "test 'test_register' calls plugins.register() through _store(), which fills module registry _PLUGINS (app/plugins.py:6)" in out
    assert "help: undo it with mock.patch.dict(app.plugins._PLUGINS) or unregister in a finally" in out


def test_slk605_is_a_preview_rule_selected_only_by_its_full_code(tmp_path: Path, capsys) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/plugins.py": PLUGINS,
        "test_p.py": "from app import plugins\n\n\ndef test_register():\n    plugins.register('x', object)\n",
    })  # fmt: skip
    for selection in ((), ("--select", "SLK6"), ("--select", "SLK")):
        status, out, _err = run_cli(capsys, "--isolated", *selection, str(root))
        assert "SLK605" not in out and status == 0, selection
    status, out, _err = run_cli(capsys, "--isolated", "--extend-select", "SLK605", str(root))
    assert status == 1 and "SLK605" in out
    (root / "pyproject.toml").write_text('[tool.sessionlint]\nextend-select = ["SLK605"]\n')
    status, out, _err = run_cli(capsys, str(root))
    assert status == 1 and "SLK605" in out
    status, out, _err = run_cli(capsys, "--ignore", "SLK605", str(root))
    assert "SLK605" not in out


def test_silences(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/plugins.py": PLUGINS,
        "conftest.py": """
            import pytest
            from app import plugins


            @pytest.fixture(autouse=True)
            def _no_leftover_order(monkeypatch):
                monkeypatch.setattr(plugins, "_ORDER", [])


            @pytest.fixture
            def cleanup():
                yield
                plugins.unregister("y")
        """,
        "test_p.py": """
            import unittest

            from app import plugins


            def test_finally():
                try:
                    plugins.register("x", object)
                finally:
                    plugins.unregister("x")


            def test_fixture_unregisters(cleanup):
                plugins.register("y", object)


            def test_autouse_resets_order():
                plugins.append(object)


            def test_memo_lookup():
                plugins.lookup("z")


            class TestCase(unittest.TestCase):
                def tearDown(self):
                    plugins._PLUGINS.pop("w", None)

                def test_w(self):
                    plugins.register("w", object)
        """,
    })  # fmt: skip
    assert _found(root, "SLK605") == []


def test_a_broad_fixture_registers_once(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/plugins.py": PLUGINS,
        "conftest.py": """
            import pytest
            from app import plugins


            @pytest.fixture(scope="session")
            def registered():
                plugins.register("s", object)


            @pytest.fixture
            def per_test():
                plugins.register("f", object)
        """,
        "test_p.py": "def test_a(registered, per_test):\n    pass\n",
    })  # fmt: skip
    assert [(name, line) for name, line, _m in _found(root, "SLK605")] == [("conftest.py", 12)]


def test_new_singleton_and_accessor_are_singletons(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/state.py": """
            class Flags:
                def __new__(cls):
                    if not hasattr(cls, "_one"):
                        cls._one = super().__new__(cls)
                        cls._one.on = set()
                    return cls._one

                def enable(self, name):
                    self.on.add(name)


            class Counter:
                def __init__(self):
                    self.count = 0

                def bump(self):
                    self.count += 1


            _counter = Counter()


            def counter():
                return _counter
        """,
        "conftest.py": """
            import pytest
            from app.state import Flags, counter


            @pytest.fixture
            def flags():
                return Flags()


            @pytest.fixture
            def hits():
                return counter()
        """,
        "test_s.py": """
            def test_flags(flags):
                flags.enable("beta")


            def test_hits(hits):
                hits.bump()
        """,
    })  # fmt: skip
    found = _found(root, "SLK604")
    assert [(name, line) for name, line, _m in found] == [("test_s.py", 2), ("test_s.py", 6)]
    assert "singleton Flags() (app/state.py:1: __new__ hands out one instance), which calls self.on.add()" in found[0][2]
    assert "singleton counter() (app/state.py:12: returns the module's one Counter), which sets self.count" in found[1][2]


def test_a_new_that_does_not_keep_the_instance_is_no_singleton(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/state.py": """
            class Flags:
                _instance = None

                def __new__(cls):
                    if cls._instance is None:
                        cls._instance = super().__new__(cls)
                        return cls._instance
                    return super().__new__(cls)

                def enable(self, name):
                    self.on = {name}
        """,
        "conftest.py": "import pytest\nfrom app.state import Flags\n\n\n@pytest.fixture\ndef flags():\n    return Flags()\n",
        "test_s.py": "def test_flags(flags):\n    flags.enable('beta')\n",
    })  # fmt: skip
    assert _found(root, "SLK604") == []


def test_only_parameters_in_scope_make_a_registration(tmp_path: Path) -> None:
    """A nested helper's parameter is not the function's (fastapi's ``create_component(*, signal)``
    beside ``_configured.append((signal, provider))`` over a loop); a decorator factory's are."""
    text = (
        "_DONE = []\n_BY_NAME = {}\n\ndef configure(config):\n    def make(*, signal):\n        return signal\n"
        "    for signal in config:\n        _DONE.append((signal, make(signal=signal)))\n\n"
        "def named(name):\n    def deco(fn):\n        _BY_NAME[name] = fn\n        return fn\n    return deco\n"
    )
    facts = extract_text(str(tmp_path / "m.py"), text, Settings(root=str(tmp_path)))
    assert set(facts.rule_data["SLK6"].registries.fills) == {"named"}


def test_a_test_decorating_with_a_registering_function(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/plugins.py": "_P = {}\n\n\ndef plugin(cls):\n    _P[cls.__name__] = cls\n    return cls\n",
        "test_p.py": """
            from app.plugins import plugin


            def test_decorates():
                @plugin
                class Local:
                    pass
        """,
    })  # fmt: skip
    [(name, line, message)] = _found(root, "SLK605")
    assert (name, line) == ("test_p.py", 5) and message.startswith("test 'test_decorates' decorates with @plugin, which fills")


def test_a_lookup_that_returns_what_it_computed_is_a_memo(tmp_path: Path) -> None:
    text = (
        "import importlib\n\n_LOADED = {}\n_P = {}\n\n"
        "def load(name):\n    obj = _LOADED.get(name)\n    if obj is None:\n"
        "        obj = _LOADED[name] = importlib.import_module(name)\n    return obj\n\n"
        "def register(name, plugin):\n    if name in _P:\n        raise ValueError(name)\n    _P[name] = plugin\n"
    )
    facts = extract_text(str(tmp_path / "m.py"), text, Settings(root=str(tmp_path)))
    assert set(facts.rule_data["SLK6"].registries.fills) == {"register"}


def test_scoped_and_fixed_registrations_are_not_fills(tmp_path: Path) -> None:
    # platformdirs' ``isolated_dirs()``: a context manager that registers and takes it back after
    # ``yield``; kombu's ``_register_default_types()``: re-registers, with no argument of its own,
    # what the module registered at import; jsonschema's ``create(meta, version=None)``: registers
    # only when given a version (each was a false positive on those projects)
    root = write_project(tmp_path, {
        "app/__init__.py": "",
        "app/reg.py": """
            from contextlib import contextmanager

            _ACTIVE = {}
            _TYPES = {}


            @contextmanager
            def activated(key, scope):
                _ACTIVE.setdefault(key, []).append(scope)
                try:
                    yield
                finally:
                    _close(key)


            def _close(key):
                _ACTIVE[key].pop()


            def isolated(root):
                with activated(root, object()):
                    yield root


            def register_type(t, encoder):
                _TYPES[t] = encoder


            def register_defaults():
                register_type(int, str)
                register_type(float, repr)


            def register_pair(t, encoder):
                register_type(t, encoder)


            _ENCODABLE = {}


            def encodable(text, codec):  # chardet: a memo's per-key table, not a registration
                cache = _ENCODABLE.setdefault(codec, {})
                for ch in text:
                    if ch not in cache:
                        cache[ch] = bool(ch.encode(codec, errors="ignore"))
                return [ch for ch in text if cache[ch]]


            def create(meta, version=None):  # jsonschema's create(): registers only under a version
                if version is not None:
                    register_type(version, str)
                return meta


            register_defaults()
        """,
        "test_reg.py": """
            from app import reg


            def test_scoped():
                with reg.activated("k", 1):
                    pass


            def test_defaults_again():
                reg.register_defaults()


            def test_a_new_type():
                reg.register_pair(bytes, str)


            def test_create_without_version():
                reg.create({})


            def test_encodable():
                assert reg.encodable("ab", "ascii")
        """,
    })  # fmt: skip
    found = _found(root, "SLK605")
    assert [(name, line) for name, line, _message in found] == [("test_reg.py", 14)]  # only the new type
    assert "register_pair()" in found[0][2] and "_TYPES" in found[0][2]
