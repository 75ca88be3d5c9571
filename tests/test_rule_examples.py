"""Every rule's own VALID and INVALID examples, run through the CLI as tests.

A VALID source, written as ``test_example.py`` in an empty project, yields no
diagnostic at all. An INVALID one yields its rule's code; when the example
gives ``fixed``, ``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) turns the
file into exactly that, which then lints clean for that rule, and a second
``--fix`` changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionlint.cli import main
from sessionlint.config import PREVIEW, Settings
from sessionlint.rules import RULES
from sessionlint.rules.base import Example

VALID = [
    pytest.param(code, source, id=f"{code}-valid-{i}")
    for code, rule in RULES.items()
    for i, source in enumerate(rule.valid)
]
INVALID = [
    pytest.param(code, example, id=f"{code}-invalid-{i}")
    for code, rule in RULES.items()
    for i, example in enumerate(rule.invalid)
]
FIXED = [param for param in INVALID if param.values[1].fixed is not None]


def _project(root: Path, source: str, files: dict[str, str] | None = None) -> Path:
    (root / "pyproject.toml").write_text("")
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    target = root / "test_example.py"
    target.write_text(source, encoding="utf-8")
    return target


def _lint(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The diagnostics the CLI prints for ``root``, one ``path:line:col: CODE message`` per line
    (preview rules selected too: their examples hold as the others' do)."""
    capsys.readouterr()
    preview = [f"--extend-select={code}" for code in sorted(PREVIEW)]
    status = main(["--isolated", "--no-cache", "-j", "1", *preview, str(root)])
    out, err = capsys.readouterr()
    assert status in (0, 1), err
    assert "internal error" not in err, err
    lines = out.splitlines()
    # ruff's summary closes the report: "Found N error(s)." with the count of the lines above
    end = next(i for i, line in enumerate(lines) if line.startswith(("Found ", "All checks passed!")))
    shown = [line for line in lines[:end] if not line.startswith("  help: ")]  # a remedy under a diagnostic
    n = len(shown)
    assert lines[end] == (f"Found {n} error{'s' if n != 1 else ''}." if n else "All checks passed!"), lines
    return shown


def _fix(root: Path, unsafe: bool, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    flags = ["--fix", "--isolated", "--no-cache", "-j", "1", "-q"] + (["--unsafe-fixes"] if unsafe else [])
    status = main([*flags, str(root)])
    _, err = capsys.readouterr()
    assert status in (0, 1), err
    assert "internal error" not in err, err
    return err


@pytest.mark.parametrize(("code", "source"), VALID)
def test_valid_example_is_silent(code: str, source: str, tmp_path: Path, capsys) -> None:
    _project(tmp_path, source)
    assert _lint(tmp_path, capsys) == []


@pytest.mark.parametrize(("code", "example"), INVALID)
def test_invalid_example_is_reported(code: str, example: Example, tmp_path: Path, capsys) -> None:
    _project(tmp_path, example.source, example.files)
    found = _lint(tmp_path, capsys)
    assert any(f": {code} " in line for line in found), found


@pytest.mark.parametrize(("code", "example"), FIXED)
def test_invalid_example_is_fixed(code: str, example: Example, tmp_path: Path, capsys) -> None:
    target = _project(tmp_path, example.source, example.files)
    _fix(tmp_path, example.unsafe, capsys)
    assert target.read_text(encoding="utf-8") == example.fixed
    # the fixed project lints clean for what was fixed
    assert not [line for line in _lint(tmp_path, capsys) if f": {code} " in line]
    # a second --fix changes nothing, in any file
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    _fix(tmp_path, example.unsafe, capsys)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == snapshot


@pytest.mark.parametrize(("code", "example"), [p for p in INVALID if p.values[0] != "SLK001"])
def test_invalid_example_carries_structured_fields_and_a_short_message(
    code: str, example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Faces read the fixture, scope, owner and remedy from fields, never from the message text."""
    from helpers import lint

    _project(tmp_path, example.source, example.files)
    monkeypatch.chdir(tmp_path)  # paths in messages are shown relative to the working directory
    found = [d for d in lint(tmp_path, Settings(root=str(tmp_path), extend_select=tuple(PREVIEW))).diagnostics if d.code == code]
    assert found
    for d in found:
        assert "\n" not in d.message and not d.message.endswith(".")
        assert len(d.message) <= 160, d.message
        assert d.fix_title and "\n" not in d.fix_title, d
        assert d.owner and d.owner_kind in ("test", "fixture"), d
        if d.fixture:
            assert d.scope, d
        assert d.fixture or d.target, d
