"""Snapshots pin what users see, per rule family: message, line, column, help, and the fix as a diff.

Each family's snapshot (``tests/snapshots/<family>.txt``) covers the golden samples of its codes
(``fixtures_samples/golden/slkNNN_*``), in the spirit of ruff's fixture + ``.snap`` tests. After
an intended change, regenerate them with ``SESSIONLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py``
and review the diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from helpers import PENDING_SAMPLES, lint
from sessionlint import rules
from sessionlint.config import load
from sessionlint.edits import apply_edits
from sessionlint.engine import FixEdits

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures_samples" / "golden"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("SESSIONLINT_UPDATE_SNAPSHOTS") == "1"


def _samples(module) -> list[Path]:
    prefixes = tuple(rule.code.lower() for rule in module.RULES)
    return sorted(
        p for p in GOLDEN.iterdir() if p.is_dir() and p.name.startswith(prefixes) and p.name not in PENDING_SAMPLES
    )


def _render(sample: Path, codes: set[str]) -> str:
    out = [f"## {sample.name}\n"]
    diagnostics = [d for d in lint(sample, load(str(sample))[0]).diagnostics if d.code in codes]  # its own settings
    edits = FixEdits()
    for d in diagnostics:
        rel = Path(d.path).relative_to(sample).as_posix()
        out.append(f"{rel}:{d.line}:{d.col}: {d.code} {d.message}\n")
        if d.fix_title:
            out.append(f"  help: {d.fix_title}\n")
        if d.fix is None:
            continue
        out.append(f"  fix ({d.fix.applicability}): {d.fix.message}\n")
        found = edits.edits(d.fix)
        if found is None:
            out.append("  (the fix does not apply to the file as it is)\n")
            continue
        for path in sorted({e.path for e in found}):
            before = Path(path).read_text(encoding="utf-8")
            after = apply_edits(before, [e for e in found if e.path == path])
            name = Path(path).relative_to(sample).as_posix()
            diff = difflib.unified_diff(before.splitlines(True), after.splitlines(True), name, name, n=1)
            out.extend(f"    {line}" if line.endswith("\n") else f"    {line}\n" for line in diff)
    return "".join(out)


@pytest.mark.parametrize("family", rules.FAMILIES)
def test_family_snapshot(family: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = next(m for m in rules.MODULES if m.__name__.endswith(f".{family}"))
    samples = _samples(module)
    assert samples, f"no golden sample for the {family} family"
    codes = {rule.code for rule in module.RULES}
    parts = []
    for sample in samples:
        monkeypatch.chdir(sample)  # paths in messages are shown relative to the working directory
        parts.append(_render(sample, codes))
    text = "\n".join(parts)
    snapshot = SNAPSHOTS / f"{family}.txt"
    if UPDATE:
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.is_file(), f"{snapshot.name} missing: run with SESSIONLINT_UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text(encoding="utf-8")
