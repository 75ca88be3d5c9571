"""Golden samples: each file states its expected diagnostics inline; fix samples are before/after pairs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import PENDING_SAMPLES, expected, found
from sessionlint.cli import main
from sessionlint.config import load

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures_samples"
GOLDEN = sorted(p for p in (SAMPLES / "golden").iterdir() if p.is_dir()) if (SAMPLES / "golden").is_dir() else []
GOLDEN_PARAMS = [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=PENDING_SAMPLES[p.name])) if p.name in PENDING_SAMPLES else p
    for p in GOLDEN
]
FIXES = sorted(p for p in (SAMPLES / "fixes").iterdir() if p.is_dir()) if (SAMPLES / "fixes").is_dir() else []


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    (dest / "pyproject.toml").touch()
    return dest


@pytest.mark.parametrize("sample", GOLDEN_PARAMS, ids=lambda p: p.name)
def test_golden(sample: Path, tmp_path: Path) -> None:
    root = _copy(sample, tmp_path / sample.name)
    settings = load(str(root))[0]  # the sample's pytest configuration (python_files, python_classes...)
    assert found(root, settings) == expected(root)


@pytest.mark.parametrize("sample", FIXES, ids=lambda p: p.name)
def test_fix(sample: Path, tmp_path: Path, capsys) -> None:
    root = _copy(sample / "before", tmp_path / "project")
    flags = ["--fix", "--exit-non-zero-on-fix", "--no-cache", "--isolated"] + (["--unsafe-fixes"] if sample.name.endswith("_unsafe") else [])
    main([*flags, str(root)])
    after = sample / "after"
    for path in sorted(after.rglob("*.py")):
        rel = path.relative_to(after)
        assert (root / rel).read_text() == path.read_text(), f"{sample.name}/{rel} differs after --fix"
    # a second --fix changes nothing
    snapshot = {p: p.read_bytes() for p in root.rglob("*.py")}
    capsys.readouterr()
    main([*flags, str(root)])
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == snapshot
    assert "Rewriting" not in capsys.readouterr().err


def test_samples_exist() -> None:
    assert GOLDEN and FIXES
