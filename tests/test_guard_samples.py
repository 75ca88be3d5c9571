"""The guard samples (``fixtures_samples/pollution/guard_*``), all in one guarded run.

Each sample is order-dependent for real (``tests/test_pollution.py`` proves
it); here one ``pytest --sessionlint-guard`` run over all of them, in the order
that fails, must name every polluter with what it changed and the right verdict.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

POLLUTION = Path(__file__).resolve().parent.parent / "fixtures_samples" / "pollution"
GUARD_SAMPLES = sorted(POLLUTION.glob("guard_*"))
KINDS = ("session_setup_env", "param_objects", "setup_class", "sys_modules", "module_attr")


def test_every_watched_kind_has_a_sample() -> None:
    assert {p.name.removeprefix("guard_") for p in GUARD_SAMPLES} >= set(KINDS)


def test_all_guard_samples_named_in_one_run(tmp_path: Path) -> None:
    order: list[str] = []
    expected: list[tuple[str, str]] = []
    for sample in GUARD_SAMPLES:
        meta = tomllib.loads((sample / "sample.toml").read_text())
        shutil.copytree(sample, tmp_path / sample.name)
        (tmp_path / sample.name / "sample.toml").unlink()
        order += [f"{sample.name}/{meta['polluter']}", f"{sample.name}/{meta['victim']}"]
        expected.append((meta["guard_expect"], meta["verdict"]))
    (tmp_path / "pyproject.toml").touch()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "--sessionlint-guard", *order],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert f"{len(GUARD_SAMPLES)} failed" in proc.stdout, proc.stdout  # every victim failed
    section = proc.stdout.split("= sessionlint guard =", 1)[1].split("\n=")[0]
    # the samples live in sub-directories of the run's rootdir: drop that prefix from paths
    lines = [re.sub(r"guard_\w+/", "", line) for line in section.splitlines() if line.strip() and not line.startswith("=")]
    for text, verdict in expected:
        matching = [line for line in lines if line.startswith(text)]
        assert len(matching) == 1, (text, lines)
        assert f"[{verdict} by sessionlint" in matching[0], matching[0]
    assert len(lines) == len(expected), lines
