"""The whole-run cache: a run whose inputs did not change reuses its result, byte for byte.

A warm CLI run must print what a run without any cache prints, after every kind of change the
result depends on: a file edited, added or deleted, a conftest above the linted files edited or
added, a package that an import assumed absent created, a setting changed. A cache that cannot
be read is rebuilt in silence.

The engine does not record a run when something it depends on changed less than ``RACY_NS``
before it ended (a coarse file-system clock could hide a change made during the run); the tests
shorten that to 50 ms and let 100 ms pass after each change, so every run records.
"""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest

import sessionlint.engine
from helpers import write
from sessionlint.cli import main

CONFTEST = 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef cfg():\n    return {"users": []}\n'
TEST_A = 'def test_add(cfg):\n    cfg["users"].append(1)\n'
TEST_B = 'def test_more(cfg):\n    cfg["users"].append(2)\n'
SETTINGS_MODULE = "import functools, os\n\n\n@functools.lru_cache\ndef get_config():\n    return os.environ.get('APP_DEBUG')\n"
SETTINGS_TEST = (
    "from app.settings import get_config\n\n\n"
    "def test_debug(monkeypatch):\n    monkeypatch.setenv('APP_DEBUG', '1')\n    assert get_config()\n"
)


class Runs:
    """Runs the CLI in ``root`` with a cache outside it; counts the cross-file steps done (one per
    group of files sharing a configuration)."""

    def __init__(self, root: Path, cache: Path, capsys, monkeypatch) -> None:
        self.root, self.cache, self.capsys = root, cache, capsys
        self.analysed = 0
        runs = self

        class Counted(sessionlint.engine.Project):
            def __init__(self, *args, **kwargs) -> None:
                runs.analysed += 1
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(sessionlint.engine, "Project", Counted)
        monkeypatch.setattr(sessionlint.engine, "RACY_NS", 50_000_000)
        monkeypatch.chdir(root)

    def __call__(self, *args: str, cached: bool = True) -> tuple[int, str, str]:
        time.sleep(0.1)  # older than RACY_NS: the run is recorded
        cache = ["--cache-dir", str(self.cache)] if cached else ["--no-cache"]
        code = main([*cache, "--format", "json", *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def check(self, *args: str) -> str:
        """A warm run that must do the cross-file step, then one that reuses its result: both print
        what a run without a cache prints."""
        reference = self(*args, cached=False)
        before = self.analysed
        assert self(*args) == reference
        assert self.analysed > before, "the changed inputs were not seen"
        before = self.analysed
        assert self(*args) == reference
        assert self.analysed == before, "an unchanged run was not reused"
        return reference[1]


@pytest.fixture
def runs(tmp_path: Path, capsys, monkeypatch) -> Runs:
    root = write(tmp_path / "project", {"pyproject.toml": "", "conftest.py": CONFTEST, "tests/test_a.py": TEST_A})
    return Runs(root, tmp_path / "cache", capsys, monkeypatch)


def test_an_unchanged_run_reuses_its_result_without_reading_the_facts(runs: Runs, monkeypatch) -> None:
    out = runs.check(".")
    assert '"SLK201"' in out
    loaded: list[str] = []
    original = sessionlint.engine.Cache._load

    def load(self, name):
        loaded.append(name)
        return original(self, name)

    monkeypatch.setattr(sessionlint.engine.Cache, "_load", load)
    assert runs(".")[1] == out
    assert [name.split("-")[0] for name in loaded] == ["runs"]  # the facts file is not read


def test_editing_adding_and_deleting_a_test_file(runs: Runs) -> None:
    first = runs.check(".")
    (runs.root / "tests" / "test_a.py").write_text(TEST_A.replace('cfg["users"].append(1)', "assert cfg"))
    edited = runs.check(".")
    assert '"SLK201"' in first and '"SLK201"' not in edited
    (runs.root / "tests" / "test_b.py").write_text(TEST_B)
    added = runs.check(".")
    assert "test_b.py" in added
    (runs.root / "tests" / "test_b.py").unlink()
    assert runs.check(".") == edited


def test_editing_a_conftest_above_the_linted_files(runs: Runs) -> None:
    first = runs.check("tests")
    assert '"SLK201"' in first
    (runs.root / "conftest.py").write_text(CONFTEST.replace('scope="session"', 'scope="function"'))
    assert '"SLK201"' not in runs.check("tests")


def test_adding_a_conftest_next_to_a_file_linted_alone(runs: Runs) -> None:
    """The new conftest is not among the linted files: only the directory's entries tell."""
    assert '"SLK201"' in runs.check("tests/test_a.py")
    (runs.root / "tests" / "conftest.py").write_text(CONFTEST.replace('scope="session"', 'scope="function"'))
    assert '"SLK201"' not in runs.check("tests/test_a.py")


def test_a_package_an_import_assumed_absent_is_created(runs: Runs) -> None:
    (runs.root / "tests" / "test_s.py").write_text(SETTINGS_TEST)
    assert '"SLK601"' not in runs.check(".")
    write(runs.root, {"app/__init__.py": "", "app/settings.py": SETTINGS_MODULE})
    assert '"SLK601"' in runs.check(".")


def test_changing_a_setting_or_the_configuration(runs: Runs) -> None:
    assert '"SLK201"' in runs.check(".")
    selected = runs.check(".", "--select", "SLK1")
    assert '"SLK201"' not in selected and '"SLK101"' in selected
    (runs.root / "pyproject.toml").write_text('[tool.sessionlint]\nignore = ["SLK201"]\n')
    assert '"SLK201"' not in runs.check(".")


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"key": "not a record"}), pickle.dumps([1])])
def test_a_corrupt_or_foreign_cache_is_rebuilt_in_silence(runs: Runs, content: bytes) -> None:
    reference = runs.check(".")
    for path in runs.cache.glob("*.pickle"):
        path.write_bytes(content)
    code, out, err = runs(".")
    assert (out, err) == (reference, "") and code == 1
    assert runs(".")[1] == reference  # and it was written again
    assert all(path.stat().st_size > len(content) for path in runs.cache.glob("*.pickle"))


def test_a_corrupt_entry_is_extracted_again(runs: Runs) -> None:
    """Each file's facts are pickled on their own: one unreadable entry costs that file only."""
    reference = runs.check(".")
    [facts] = runs.cache.glob("facts-*.pickle")
    entries = pickle.loads(facts.read_bytes())
    path = next(iter(entries))
    entries[path] = (*entries[path][:2], b"not a pickle")
    facts.write_bytes(pickle.dumps(entries))
    for record in runs.cache.glob("runs-*.pickle"):
        record.unlink()  # not the whole run's result: the facts are read
    assert runs.check(".") == reference


def test_a_package_created_where_only_the_pool_workers_looked(runs: Runs, monkeypatch) -> None:
    """Extracted in worker processes (whose module searches the main process does not see), the
    test's facts assumed ``app`` is no module of the project: a package created in ``src/`` is seen."""
    monkeypatch.setattr(sessionlint.engine, "MIN_FILES_FOR_POOL", 1)
    write(runs.root, {"src/other.py": "", "tests/test_s.py": SETTINGS_TEST})
    assert '"SLK601"' not in runs.check("-j", "2", ".")
    write(runs.root, {"src/app/__init__.py": "", "src/app/settings.py": SETTINGS_MODULE})
    assert '"SLK601"' in runs.check("-j", "2", ".")


@pytest.mark.parametrize("format", ["text", "json", "sarif"])
def test_the_golden_samples_print_the_same_cold_and_reused(tmp_path: Path, capsys, monkeypatch, format: str) -> None:
    import shutil

    root = tmp_path / "samples"
    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures_samples" / "golden", root)
    (root / "pyproject.toml").touch()
    runs = Runs(root, tmp_path / "cache", capsys, monkeypatch)
    out = runs.check("--format", format, "--show-fixes", ".")
    assert out.count("SLK") > 20
