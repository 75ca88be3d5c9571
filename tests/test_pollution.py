"""Pollution samples are real: each fails in one order and passes in the other,
sessionlint reports it, and after ``--fix --unsafe-fixes`` both orders pass."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import lint
from sessionlint.cli import main
from sessionlint.config import load

POLLUTION = Path(__file__).resolve().parent.parent / "fixtures_samples" / "pollution"
SAMPLES = sorted(p for p in POLLUTION.iterdir() if p.is_dir()) if POLLUTION.is_dir() else []


def run_pytest(root: Path, *nodeids: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "-p", "no:sessionlint", *nodeids],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_order_dependent_then_fixed(sample: Path, tmp_path: Path) -> None:
    meta = tomllib.loads((sample / "sample.toml").read_text())
    root = tmp_path / sample.name
    shutil.copytree(sample, root)
    (root / "sample.toml").unlink()
    (root / "pyproject.toml").touch()
    polluter, victim = meta["polluter"], meta["victim"]

    bad = run_pytest(root, polluter, victim)
    assert bad.returncode == 1, f"polluter first should fail:\n{bad.stdout}"
    good = run_pytest(root, victim, polluter)
    assert good.returncode == 0, f"victim first should pass:\n{good.stdout}"

    codes = {d.code for d in lint(root, load(str(root))[0]).diagnostics}  # the sample's own settings
    assert set(meta["codes"]) <= codes, f"expected {meta['codes']}, found {sorted(codes)}"
    if meta.get("fixed", True) is False:
        # a code with no fix: sample.toml says why; nothing more to prove here
        assert "#" in (sample / "sample.toml").read_text(), "a fixed = false sample must say why"
        return
    assert main(["--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", "--no-cache", "-q", str(root)]) in (0, 1)
    for order in ((polluter, victim), (victim, polluter)):
        after = run_pytest(root, *order)
        assert after.returncode == 0, f"after --fix, {order} should pass:\n{after.stdout}"


GUARDED = [s for s in SAMPLES if tomllib.loads((s / "sample.toml").read_text()).get("guard")]


@pytest.mark.parametrize("sample", GUARDED, ids=lambda p: p.name)
def test_guard_names_the_polluter_in_one_run(sample: Path, tmp_path: Path) -> None:
    """One ``pytest --sessionlint-guard`` run, in the order that fails, names the polluting test."""
    meta = tomllib.loads((sample / "sample.toml").read_text())
    root = tmp_path / sample.name
    shutil.copytree(sample, root)
    (root / "sample.toml").unlink()
    (root / "pyproject.toml").touch()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--sessionlint-guard", meta["polluter"], meta["victim"]],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    section = proc.stdout.split("sessionlint guard", 1)[-1]
    lines = [line for line in section.splitlines() if line.startswith(meta["polluter"].split("[")[0])]
    assert lines, proc.stdout
    assert all("[predicted by sessionlint" in line for line in lines), lines


def test_there_are_pollution_samples() -> None:
    assert len(SAMPLES) >= 3
