"""Resolution across files, the cache and the process pool."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import found
from sessionlint.config import Settings
from sessionlint.engine import Engine
from sessionlint.extract import build_context
from sessionlint.index import Project

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures_samples"

CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def cfg():
    return {"users": []}  # noqa: SLK101
"""
TEST = """
def test_add(cfg):
    cfg["users"].append(1)
"""


def _project(root: Path) -> Project:
    engine = Engine(Settings(root=str(root)))
    files = [str(p) for p in sorted(root.rglob("*.py"))]
    facts, _ = engine._facts(files, {})
    return Project(facts, engine._load_extra({}))


def test_nested_conftest_override_applies_only_below(project) -> None:
    root = project({
        "conftest.py": CONFTEST,
        "test_top.py": TEST,
        "sub/conftest.py": "import pytest\n\n@pytest.fixture\ndef cfg():\n    return {'users': []}\n",
        "sub/test_sub.py": TEST,
    })  # fmt: skip
    assert found(root) == [("test_top.py", 3, "SLK201")]
    index = _project(root)
    top = index.resolve("cfg", str(root / "test_top.py"), None)
    sub = index.resolve("cfg", str(root / "sub" / "test_sub.py"), None)
    assert top is not None and top.scope == "session" and top.path == str(root / "conftest.py")
    assert sub is not None and sub.scope == "function" and sub.path == str(root / "sub" / "conftest.py")


def test_fixture_overriding_itself_gets_the_outer_definition(project) -> None:
    root = project({
        "conftest.py": CONFTEST,
        "sub/conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\ndef cfg(cfg):\n    return cfg\n",
        "sub/test_sub.py": TEST,
    })  # fmt: skip
    # the override passes the session value through: still shared
    assert found(root) == [("sub/test_sub.py", 3, "SLK201")]


def test_passthrough_function_fixture_is_still_shared(project) -> None:
    root = project({
        "conftest.py": CONFTEST + "\n@pytest.fixture\ndef view(cfg):\n    return cfg\n",
        "test_view.py": "def test_v(view):\n    view['users'].append(1)\n",
    })  # fmt: skip
    assert found(root) == [("test_view.py", 2, "SLK201")]


def test_pytest_plugins_and_missing_plugin(project) -> None:
    root = project({
        "conftest.py": "pytest_plugins = ['plugs.state', 'not_here']\n",
        "plugs/__init__.py": "",
        "plugs/state.py": CONFTEST,
        "test_p.py": TEST,
    })  # fmt: skip
    assert found(root) == [("test_p.py", 3, "SLK201")]


def test_pytest_plugins_cycle_terminates(project) -> None:
    root = project({
        "conftest.py": "pytest_plugins = ['a']\n",
        "a.py": "pytest_plugins = ['b']\n" + CONFTEST,
        "b.py": "pytest_plugins = ['a']\n",
        "test_p.py": TEST,
    })  # fmt: skip
    assert ("test_p.py", 3, "SLK201") in found(root)


def test_dynamic_scope_is_not_guessed(project) -> None:
    root = project({
        "conftest.py": "import pytest\n\ndef pick(fixture_name, config):\n    return 'session'\n\n"
        "@pytest.fixture(scope=pick)\ndef cfg():\n    return {'users': []}\n",
        "test_a.py": TEST,
    })  # fmt: skip
    assert found(root) == []


def test_single_file_argument_reads_conftest_from_disk(project) -> None:
    root = project({"conftest.py": CONFTEST, "test_a.py": TEST})
    result = Engine(Settings(root=str(root))).lint([str(root / "test_a.py")])
    assert [(d.code, d.line) for d in result.diagnostics] == [("SLK201", 3)]
    assert "conftest.py:5" in result.diagnostics[0].message


def test_same_name_in_fifty_nested_directories(project) -> None:
    files = {"conftest.py": CONFTEST}
    path = ""
    for i in range(50):
        path += f"d{i}/"
        scope = "session" if i % 2 else "function"
        files[f"{path}conftest.py"] = f"import pytest\n\n@pytest.fixture(scope='{scope}')\ndef cfg():\n    return {{}}  # noqa: SLK101\n"
    files[f"{path}test_deep.py"] = "def test_deep(cfg):\n    cfg['x'] = 1\n"
    root = project(files)
    # the nearest definition (d49, session-scoped) wins
    assert found(root) == [(f"{path}test_deep.py", 2, "SLK201")]


def test_class_fixture_visible_only_in_class() -> None:
    source = (
        "import pytest\n\nclass TestA:\n    @pytest.fixture(scope='class')\n    def box(self):\n"
        "        return []  # noqa: SLK101\n\n    def test_in(self, box):\n        box.append(1)\n\n"
        "def test_out(box):\n    box.append(1)\n"
    )
    ctx = build_context("test_x.py", source, Settings())
    assert ctx is not None
    [fixture] = ctx.facts.fixtures
    assert fixture.cls == "TestA" and fixture.scope == "class"


@pytest.mark.parametrize(
    ("body", "written"),
    [
        ("    cfg.append(1)\n", ["cfg"]),  # named in the body: walked
        ("    alias = cfg\n    alias.append(1)\n", ["cfg"]),
        ("    assert True\n", []),  # never named: the walk is skipped, nothing is lost
        ("    \uff43fg.append(1)\n", ["cfg"]),  # 'ｃfg' is the identifier cfg (NFKC): still walked
    ],
)
def test_mutation_walk_skips_only_bodies_that_cannot_name_the_value(body: str, written: list[str]) -> None:
    ctx = build_context("test_x.py", f"def test_add(cfg):\n{body}", Settings())
    assert ctx is not None
    [test] = [fn.test for fn in ctx.functions if fn.test is not None]
    assert [m.name for m in test.mutations] == written


# the cache and the pool -------------------------------------------------------------------
def _copy_samples(tmp_path: Path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES / "golden", root)
    (root / "pyproject.toml").touch()
    return root


def test_warm_run_reads_nothing_and_finds_the_same(tmp_path: Path) -> None:
    root = _copy_samples(tmp_path)
    settings = Settings(root=str(root))
    cache = str(tmp_path / "cache")
    cold = Engine(settings, cache_dir=cache).lint([str(root)])
    warm = Engine(settings, cache_dir=cache).lint([str(root)])
    # cold: every linted file, plus local modules read to find imported fixtures
    assert cold.extracted >= cold.files > 0
    assert warm.extracted == 0
    assert warm.diagnostics == cold.diagnostics
    assert (Path(cache) / ".gitignore").read_text().strip().endswith("*")


def test_changing_a_conftest_reextracts_only_it_and_updates_conclusions(tmp_path: Path) -> None:
    root = _copy_samples(tmp_path)
    settings = Settings(root=str(root))
    cache = str(tmp_path / "cache")
    before = Engine(settings, cache_dir=cache).lint([str(root)])
    conftest = root / "nested_override" / "conftest.py"
    conftest.write_text(conftest.read_text().replace('scope="session"', 'scope="function"'))
    os.utime(conftest, ns=(1, 1))  # a different mtime even on coarse clocks
    after = Engine(settings, cache_dir=cache).lint([str(root)])
    assert after.extracted == 1
    gone = {(d.path, d.line, d.code) for d in before.diagnostics} - {(d.path, d.line, d.code) for d in after.diagnostics}
    assert gone == {(str(root / "nested_override" / "test_top.py"), 2, "SLK201")}


@pytest.mark.parametrize("jobs", [1, 2])
def test_same_diagnostics_with_and_without_cache_and_jobs(tmp_path: Path, jobs: int, monkeypatch) -> None:
    import sessionlint.engine

    monkeypatch.setattr(sessionlint.engine, "MIN_FILES_FOR_POOL", 2)  # use the pool even on few files
    root = _copy_samples(tmp_path)
    settings = Settings(root=str(root))
    reference = Engine(settings, jobs=1).lint([str(root)])
    pooled = Engine(settings, jobs=jobs, cache_dir=str(tmp_path / "c")).lint([str(root)])
    warm = Engine(settings, jobs=jobs, cache_dir=str(tmp_path / "c")).lint([str(root)])
    assert reference.diagnostics == pooled.diagnostics == warm.diagnostics
    assert reference.diagnostics


def test_imported_project_modules_are_extracted_together_in_the_pool(tmp_path: Path, monkeypatch) -> None:
    """A whole repository: the project's modules that tests import are extracted in the pool, in one
    batch, and the run finds what a one-process run finds."""
    import sessionlint.engine

    monkeypatch.setattr(sessionlint.engine, "MIN_FILES_FOR_POOL", 2)
    (tmp_path / "pyproject.toml").touch()
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").touch()
    for i in range(4):
        (app / f"m{i}.py").write_text(f"REGISTRY{i} = []\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_app.py").write_text(
        "".join(f"from app.m{i} import REGISTRY{i}\n" for i in range(4))
        + "\n\ndef test_register():\n    REGISTRY2.append(1)\n"
    )
    batches: list[list[str]] = []
    real = sessionlint.engine.Engine._extract_all

    def spy(self, todo):
        batches.append(sorted(os.path.basename(p) for p in todo))
        return real(self, todo)

    monkeypatch.setattr(sessionlint.engine.Engine, "_extract_all", spy)
    settings = Settings(root=str(tmp_path))
    pooled = Engine(settings, jobs=2).lint([str(tmp_path)])
    assert batches == [["test_app.py"], ["m0.py", "m1.py", "m2.py", "m3.py"]]
    reference = Engine(settings, jobs=1).lint([str(tmp_path)])
    assert pooled.diagnostics == reference.diagnostics
    assert [(os.path.basename(d.path), d.code) for d in pooled.diagnostics] == [("test_app.py", "SLK203")]


def test_modules_the_index_reads_through_imports_are_extracted_in_the_pool(tmp_path: Path, monkeypatch) -> None:
    """The fixture index looks for fixtures in the modules a conftest imports from, and in those they
    import from: with the pool running they are extracted there (each as soon as a module importing
    it is), not one by one in the main process; the run finds and counts what a one-process run does."""
    import sessionlint.engine

    monkeypatch.setattr(sessionlint.engine, "MIN_FILES_FOR_POOL", 2)
    (tmp_path / "pyproject.toml").touch()
    files = {
        "app/__init__.py": "from app.api import *\n",
        "app/api.py": "from app.core import make, other\n",
        "app/core.py": "import pytest\nfrom app.deep import other\n\n\n@pytest.fixture(scope='session')\n"
        "def make():\n    return {}\n",
        "app/deep.py": "other = 1\n",
        "tests/conftest.py": "from app import make\n",
        "tests/test_a.py": "def test_a(make):\n    make['x'] = 1\n",
        "tests/test_b.py": "def test_b():\n    pass\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    in_main: list[str] = []  # a forked worker appends to its own copy
    real = sessionlint.engine._extract_file

    def spy(path, *args, **kwargs):
        in_main.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(sessionlint.engine, "_extract_file", spy)
    settings = Settings(root=str(tmp_path))
    pooled = Engine(settings, jobs=2).lint([str(tmp_path / "tests")])
    assert in_main == []
    reference = Engine(settings, jobs=1).lint([str(tmp_path / "tests")])
    assert sorted(in_main) == ["__init__.py", "api.py", "conftest.py", "core.py", "deep.py", "test_a.py", "test_b.py"]
    assert pooled.diagnostics == reference.diagnostics and pooled.extracted == reference.extracted == 7
    assert [(os.path.basename(d.path), d.code) for d in pooled.diagnostics] == [("test_a.py", "SLK201")]


def test_a_lint_run_never_imports_libcst(tmp_path: Path) -> None:
    """Linting (with fixable diagnostics of every family) stays on ``ast``; libcst loads only to fix."""
    for sample in ("slk101", "slk103", "slk201", "slk301", "slk402", "slk501"):
        for path in (SAMPLES / "golden").glob(f"{sample}*"):
            target = tmp_path / path.name
            if path.is_dir():
                shutil.copytree(path, target)
            else:
                shutil.copy(path, target)
    script = (
        "import sys\n"
        "from sessionlint.config import Settings\n"
        "from sessionlint.engine import Engine\n"
        f"result = Engine(Settings(root={str(tmp_path)!r}), jobs=1).lint([{str(tmp_path)!r}])\n"
        "assert result.diagnostics, 'the samples should report something'\n"
        "assert any(d.fix for d in result.diagnostics), 'some diagnostics should carry a fix'\n"
        "print(sorted({d.code for d in result.diagnostics}))\n"
        "print('libcst' in sys.modules)\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    codes, loaded = out.stdout.strip().splitlines()
    assert "SLK301" in codes
    assert loaded == "False"


def test_every_analysis_setting_is_part_of_the_cache_key(tmp_path: Path) -> None:
    """The key is derived from the Settings fields, not a hand-kept list: a new option joins it."""
    from dataclasses import fields, replace

    from sessionlint.engine import NOT_ANALYSIS_SETTINGS, analysis_digest

    base = Settings(root=str(tmp_path))
    names = {f.name for f in fields(Settings) if f.compare}
    assert NOT_ANALYSIS_SETTINGS <= names, "a field named there no longer exists"
    for name in sorted(names):
        value = getattr(base, name)
        changed = replace(base, **{name: (*value, ("x", "y")) if isinstance(value, tuple) else value + "x"})
        if name in NOT_ANALYSIS_SETTINGS:
            assert analysis_digest(changed) == analysis_digest(base), name
        else:
            assert analysis_digest(changed) != analysis_digest(base), name


def test_the_cache_is_not_reused_after_an_analysis_setting_changes(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST.replace("  # noqa: SLK101", ""))
    cache = str(tmp_path / ".cache")
    first = Engine(Settings(root=str(tmp_path)), cache_dir=cache).lint([str(tmp_path)])
    assert [d.code for d in first.diagnostics] == ["SLK101"]
    again = Engine(Settings(root=str(tmp_path), select=("SLK1",)), cache_dir=cache).lint([str(tmp_path)])
    assert again.extracted == 0  # select filters afterwards: the facts are reused
    immutable = Settings(root=str(tmp_path), immutable_fixtures=("cfg",))
    fresh = Engine(immutable, cache_dir=cache).lint([str(tmp_path)])
    assert fresh.extracted == 1 and fresh.diagnostics == []


@pytest.mark.parametrize("enabled", [True, False])
def test_extraction_leaves_the_cyclic_collector_as_it_found_it(enabled: bool) -> None:
    """Extraction pauses the collector for a file (a parsed tree has no cycles) and puts it back
    as it was, also when the file cannot be parsed or analysis fails."""
    import gc

    from sessionlint import extract as extract_module

    was = gc.isenabled()
    seen: list[bool] = []
    real = extract_module._Extractor.run

    def run(self, listeners=()):
        seen.append(gc.isenabled())
        return real(self, listeners)

    try:
        gc.enable() if enabled else gc.disable()
        extract_module._Extractor.run = run
        facts = extract_module.extract("test_a.py", b"def test_a():\n    assert True\n", Settings())
        assert not facts.diagnostics and seen == [False]  # analysed with the collector paused
        assert gc.isenabled() is enabled
        extract_module.extract("test_b.py", b"def test_b(:\n", Settings())  # SLK001
        assert gc.isenabled() is enabled

        def boom(self, listeners=()):
            raise KeyError("analysis failed")

        extract_module._Extractor.run = boom
        with pytest.raises(KeyError):
            extract_module.extract("test_c.py", b"x = 1\n", Settings())
        assert gc.isenabled() is enabled
    finally:
        extract_module._Extractor.run = real
        gc.enable() if was else gc.disable()


def test_extraction_leaves_no_syntax_tree_to_the_cyclic_collector() -> None:
    """Every parsed node is freed by reference counting when extraction returns: a reference cycle
    through an analysis structure (a recursive closure over the file's classes, say) would keep the
    tree alive until the collector traverses it, which cost a tenth of extraction time."""
    import ast
    import gc

    from sessionlint.extract import extract

    source = (
        b"import unittest\nimport pytest\n\nREGISTRY = []\n\n\n"
        b"class Base:\n    payload = {'k': 1}\n\n\n"
        b"class TestChild(Base):\n    def test_a(self):\n        self.payload['k'] = 2\n\n\n"
        b"class MyCase(unittest.TestCase):\n    def test_b(self):\n        REGISTRY.append(1)\n\n\n"
        b"class TestMore(MyCase):\n    class TestInner(Base):\n        def test_c(self):\n            pass\n\n\n"
        b"@pytest.fixture(scope='session')\ndef data():\n    return {'a': [1, 2]}\n\n\n"
        b"def test_d(data):\n    data['a'].append(3)\n"
    )
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        facts = extract("test_cycles.py", source, Settings())
        gc.collect()
        kept = [type(o).__name__ for o in gc.garbage if isinstance(o, ast.AST)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert facts.diagnostics  # the file was analysed, and reported on
    assert kept == []
