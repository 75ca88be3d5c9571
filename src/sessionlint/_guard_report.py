"""The guard's summary: its findings with repeats folded, each cross-checked with the static rules.

Runs once, at the end of the test session (``Guard``'s terminal summary imports it then): it lints,
through the on-disk cache, the files that define the tests and fixtures involved, and says for each
finding which static diagnostic predicted it, or that none did.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sessionlint.guard import CACHE_DIR, FAMILIES, GuardFinding, _test_qualname

if TYPE_CHECKING:
    from sessionlint.config import Settings
    from sessionlint.model import Diagnostic


# -- grouping -------------------------------------------------------------------

_NUMBER: Final = re.compile(r"-?\d+(?:\.\d+)?")
_INCREMENT: Final = re.compile(r"(-?\d+) -> (-?\d+)$")


def group_repeats(findings: list[GuardFinding]) -> list[tuple[GuardFinding, str]]:
    """Findings in order, repeats of one change folded into the first.

    Two findings repeat each other when they are the same kind of change to
    the same thing, differing only in numbers (a counter going 0 -> 1, then
    1 -> 2, ...). Each kept finding comes with a line saying how many more
    tests did it, or "".
    """
    groups: dict[tuple[Any, ...], list[GuardFinding]] = {}
    for finding in findings:
        shape = _NUMBER.sub("#", finding.detail)
        key = (finding.kind, finding.phase, finding.fixture, finding.location, finding.key, shape)
        groups.setdefault(key, []).append(finding)
    out = []
    for members in groups.values():
        first, rest = members[0], members[1:]
        if not rest:
            out.append((first, ""))
            continue
        steps = [_INCREMENT.search(m.detail) for m in members]
        counted = all(s is not None and int(s[2]) > int(s[1]) for s in steps)
        verb = "incremented" if counted else "made the same change to"
        target = first.key if first.kind not in ("fixture", "param", "xunit") else (
            f"'{first.fixture}'{first.key}"
        )
        out.append((first, f"... and {len(rest)} more tests {verb} {target or first.kind}"))
    return out


# -- cross-check with the static analysis ---------------------------------------

NOT_PREDICTED: Final = "[not predicted by sessionlint's static rules: please report this case]"
#: Codes that predict a change to a shared value, best pointer first.
_VALUE_CODES: Final = ("SLK201", "SLK203", "SLK202", "SLK101", "SLK102")


def static_verdicts(
    findings: list[GuardFinding], rootpath: Path, settings: Settings | None = None
) -> dict[GuardFinding, str]:
    """For each finding, whether sessionlint's static rules predicted it.

    Lints (through the on-disk cache) only the files that define the tests
    and fixtures involved, plus the conftest.py files above them. A change the
    linter could have predicted and missed is a linter bug worth reporting,
    so the guard says so; a change inside a library's object is labelled as such.
    """
    if not findings:
        return {}
    diagnostics = _diagnostics_for(findings, rootpath, settings)
    if diagnostics is None:
        return {}
    verdicts: dict[GuardFinding, str] = {}
    for finding in findings:
        hit = _prediction(finding, diagnostics, rootpath)
        advice = _advice(finding)
        if hit is not None:
            where = os.path.relpath(hit.path, rootpath)
            text = f"predicted by sessionlint {hit.code} at {where}:{hit.line}"
        elif finding.library:
            text = f"a change inside a {finding.library} object, library state sessionlint does not model"
        else:
            verdicts[finding] = NOT_PREDICTED[:-1] + (f"; {advice}]" if advice else "]")
            continue
        verdicts[finding] = f"[{text}" + (f"; {advice}]" if advice else "]")
    return verdicts


def _diagnostics_for(
    findings: list[GuardFinding], rootpath: Path, settings: Settings | None
) -> list[Diagnostic] | None:
    try:
        from sessionlint import config as sl_config
        from sessionlint.engine import Engine
    except Exception:  # noqa: BLE001 - the guard works without the linter
        return None
    files: set[str] = set()
    for finding in findings:
        test_file = rootpath / finding.nodeid.split("::")[0]
        if test_file.is_file():
            files.add(str(test_file))
            files.update(_conftests_up_to(test_file.parent, rootpath))
        if finding.location:
            defined = rootpath / finding.location.rpartition(":")[0]
            if defined.is_file():
                files.add(str(defined))
    if not files:
        return []
    try:
        if settings is None:
            settings = sl_config.resolve(str(rootpath))[0]
        engine = Engine(settings, jobs=1, cache_dir=str(rootpath / CACHE_DIR), rootdir=str(rootpath))
        return list(engine.lint([], files=sorted(files)).diagnostics)
    except Exception:  # noqa: BLE001 - never break the test run's summary
        return None


def _prediction(finding: GuardFinding, diagnostics: list[Diagnostic], rootpath: Path) -> Diagnostic | None:
    """The static finding that covers `finding`, the one about its own test first."""
    test = _test_qualname(finding.nodeid)
    closure = set(finding.closure)
    family = FAMILIES.get(finding.kind)
    if finding.phase == "setup":
        owner = finding.fixture or ""
        hits = [
            d for d in diagnostics
            if d.code == "SLK301" and d.target == family and _same_key(finding, d)
            and (d.owner == owner or d.owner.endswith("." + owner) or owner.endswith("." + d.owner))
        ]  # fmt: skip
        return hits[0] if hits else None
    if family is not None:
        hits = [
            d for d in diagnostics
            if d.code == "SLK301" and d.target == family and _same_key(finding, d)
            and (d.owner == test or (d.owner_kind == "fixture" and d.owner in closure))
        ]  # fmt: skip
        hits.sort(key=lambda d: d.owner != test)
        return hits[0] if hits else None
    if finding.kind == "cache":  # SLK601: the test (or a fixture of its closure) patches and calls it
        hits = [
            d for d in diagnostics
            if d.code == "SLK601" and d.target == "memo" and _same_key(finding, d)
            and (d.owner == test or (d.owner_kind == "fixture" and d.owner in closure))
        ]  # fmt: skip
        hits.sort(key=lambda d: d.owner != test)
        return hits[0] if hits else None
    name = (finding.fixture or "").rpartition(".")[2]
    defined = str(rootpath / (finding.location or "").rpartition(":")[0])

    def covers(d: Diagnostic) -> bool:
        if d.code not in _VALUE_CODES or d.fixture not in (name, finding.fixture):
            return False
        if d.defined and finding.kind != "xunit" and d.defined.rpartition(":")[0] != defined:
            return False  # another fixture of that name
        if d.code in ("SLK201", "SLK203"):
            return d.owner == test
        if d.code == "SLK202":
            return d.owner in closure
        return True  # SLK101/SLK102: the fixture itself hands out shared mutable state

    hits = sorted((d for d in diagnostics if covers(d)), key=lambda d: _VALUE_CODES.index(d.code))
    return hits[0] if hits else None


def _same_key(finding: GuardFinding, diagnostic: Diagnostic) -> bool:
    """Whether the static target key names what changed (either side may be unspecific)."""
    if not finding.key or not diagnostic.target_key:
        return True
    if finding.kind != "attr":
        return finding.key == diagnostic.target_key
    mine, theirs = finding.key.split("."), diagnostic.target_key.split(".")
    size = min(len(mine), len(theirs), 2)
    return mine[-size:] == theirs[-size:]


_ADVICE: Final = {
    # kind: (advice in a pytest test, advice in a unittest.TestCase)
    "environ": ("restore it with monkeypatch.setenv/delenv",
                "restore it with mock.patch.dict(os.environ) or self.addCleanup"),
    "sys.path": ("restore it with monkeypatch.syspath_prepend",
                 "restore it with mock.patch.object(sys, 'path', [...]) or self.addCleanup"),
    "cwd": ("restore it with monkeypatch.chdir", "restore it with self.addCleanup(os.chdir, old)"),
    "sys.modules": ("restore it with monkeypatch.setitem/delitem(sys.modules, ...)",
                    "restore it with mock.patch.dict(sys.modules)"),
    "cache": ("clear the cache after the test (an autouse fixture calling cache_clear())",
              "clear the cache after the test (self.addCleanup(func.cache_clear))"),
    "attr": ("restore it with monkeypatch.setattr",
             "restore it with mock.patch.object or self.addCleanup(setattr, ...)"),
}  # fmt: skip


def _advice(finding: GuardFinding) -> str:
    if finding.phase == "setup":
        return ""
    pair = _ADVICE.get(finding.kind)
    if pair is None:
        return "copy the value in the test (unittest: in setUp)" if finding.unittest else ""
    return pair[1] if finding.unittest else pair[0]


def _conftests_up_to(directory: Path, rootpath: Path) -> list[str]:
    found = []
    while True:
        candidate = directory / "conftest.py"
        if candidate.is_file():
            found.append(str(candidate))
        if directory == rootpath or directory.parent == directory:
            return found
        directory = directory.parent
