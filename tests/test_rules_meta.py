"""The rule set checks itself: registered once, documented, covered by samples, listed in the changelog."""

from __future__ import annotations

import importlib
import importlib.util
import re
import types
from pathlib import Path

import pytest

from helpers import EXPECT_RE
from sessionlint import docs
from sessionlint.rules import RULES
from sessionlint.rules.base import Example, Rule

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures_samples" / "golden"
# DESIGN.md's rule catalog: the codes are a contract with users, tests and docs.
CATALOG = {
    "SLK001", "SLK101", "SLK102", "SLK103", "SLK104", "SLK201", "SLK202", "SLK203",
    "SLK301", "SLK401", "SLK402", "SLK403", "SLK501",
}  # fmt: skip
CODES = sorted(RULES)


def _rule(code: str, name: str = "a-rule") -> Rule:
    return Rule(code, name, "flags x", "none", "what", "why", "bad()", "good()", "no fix")


# registration --------------------------------------------------------------------------------
def test_catalog_codes_are_registered() -> None:
    assert set(RULES) == CATALOG


def test_registry_keys_match_codes_and_names_are_unique() -> None:
    assert all(code == rule.code for code, rule in RULES.items())
    names = [rule.name for rule in RULES.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", CODES)
def test_code_and_name_are_well_formed(code: str) -> None:
    rule = RULES[code]
    assert re.fullmatch(r"SLK\d{3}", code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name), "names are kebab-case, named for the pattern"
    assert rule.fix in ("always", "sometimes", "none")


def test_a_code_registered_twice_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load a fresh copy of sessionlint.rules whose families both register SLK999."""
    fakes = {
        "sessionlint.rules.one": types.SimpleNamespace(RULES=[_rule("SLK999", "first")]),
        "sessionlint.rules.two": types.SimpleNamespace(RULES=[_rule("SLK999", "second")]),
    }
    spec = importlib.util.find_spec("sessionlint.rules")
    assert spec is not None
    assert spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    source = re.sub(r"(?m)^FAMILIES = .*$", 'FAMILIES = ("one", "two")', source)
    assert 'FAMILIES = ("one", "two")' in source
    monkeypatch.setattr(importlib, "import_module", fakes.__getitem__)
    module = types.ModuleType("sessionlint_rules_copy")
    with pytest.raises(RuntimeError, match="SLK999 registered twice"):
        exec(compile(source, spec.origin, "exec"), module.__dict__)  # noqa: S102 - our own source


def test_distinct_codes_register_in_a_fresh_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    fakes = {
        "sessionlint.rules.one": types.SimpleNamespace(RULES=[_rule("SLK998", "first")]),
        "sessionlint.rules.two": types.SimpleNamespace(RULES=[_rule("SLK999", "second")]),
    }
    spec = importlib.util.find_spec("sessionlint.rules")
    assert spec is not None
    source = re.sub(r"(?m)^FAMILIES = .*$", 'FAMILIES = ("one", "two")', Path(spec.origin).read_text(encoding="utf-8"))
    monkeypatch.setattr(importlib, "import_module", fakes.__getitem__)
    namespace: dict = {"__name__": "sessionlint_rules_copy"}
    exec(compile(source, spec.origin, "exec"), namespace)  # noqa: S102 - our own source
    assert list(namespace["RULES"]) == ["SLK998", "SLK999"]


# documentation -----------------------------------------------------------------------------
@pytest.mark.parametrize("code", CODES)
def test_docs_sections_are_filled(code: str) -> None:
    rule = RULES[code]
    for section in ("summary", "what", "why", "example", "use_instead", "fix_safety", "options"):
        assert getattr(rule, section).strip(), f"{code}: empty {section}"
    assert "\n" not in rule.summary.strip(), f"{code}: the summary is one line"
    text = rule.docs()
    for header in (
        "## What it does", "## Why is this bad?", "## Example", "## Use instead",
        "## Fix safety", "## Options", "## References",
    ):  # fmt: skip
        assert header in text, f"{code}: no {header!r} section"


@pytest.mark.parametrize("code", CODES)
def test_examples_exist_and_fixes_match_the_fix_label(code: str) -> None:
    rule = RULES[code]
    assert rule.valid, f"{code}: no VALID example"
    assert rule.invalid, f"{code}: no INVALID example"
    assert all(isinstance(example, Example) for example in rule.invalid)
    assert all(isinstance(source, str) and source.strip() for source in rule.valid)
    fixed = [example for example in rule.invalid if example.fixed is not None]
    if rule.fix == "none":
        assert not fixed, f"{code}: fix is 'none' but an example has a fixed version"
    else:
        assert fixed, f"{code}: fix is {rule.fix!r} but no INVALID example shows the fix"


def test_generated_docs_match_the_committed_ones() -> None:
    """docs/rules/*.md, docs/rules/index.md and README's table are what scripts/gen_docs.py writes."""
    stale = [str(path.relative_to(ROOT)) for path in docs.drift(ROOT)]
    assert not stale, f"out of date (run python scripts/gen_docs.py): {stale}"


@pytest.mark.parametrize("code", CODES)
def test_rule_is_documented_in_docs_and_readme(code: str) -> None:
    page = ROOT / "docs" / "rules" / f"{code}.md"
    assert page.read_text(encoding="utf-8") == RULES[code].docs()
    assert f"[{code}]({code}.md)" in (ROOT / "docs" / "rules" / "index.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(docs.TABLE_START), readme.index(docs.TABLE_END)
    table = readme[start:end]
    assert f"[{code}](docs/rules/{code}.md) | {RULES[code].name} |" in table


def test_drift_is_detected_and_repaired(tmp_path: Path) -> None:
    rules = {"SLK998": _rule("SLK998", "first"), "SLK999": _rule("SLK999", "second")}
    readme = f"# x\n\n{docs.TABLE_START}\nold\n{docs.TABLE_END}\n\nkept\n"
    (tmp_path / "README.md").write_text(readme)
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    (tmp_path / "docs" / "rules" / "SLK997.md").write_text("a rule that is gone\n")
    assert len(docs.drift(tmp_path, rules)) == 5  # two pages, the index, README, a stale page
    docs.write(tmp_path, rules)
    assert docs.drift(tmp_path, rules) == []
    assert not (tmp_path / "docs" / "rules" / "SLK997.md").exists()
    text = (tmp_path / "README.md").read_text()
    assert text.startswith("# x\n\n")
    assert text.endswith(f"{docs.TABLE_END}\n\nkept\n")
    assert "| [SLK999](docs/rules/SLK999.md) | second | flags x | — |" in text
    assert "old" not in text
    (tmp_path / "docs" / "rules" / "SLK998.md").write_text("edited by hand\n")
    assert docs.drift(tmp_path, rules) == [tmp_path / "docs" / "rules" / "SLK998.md"]


def test_readme_without_markers_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# no table here\n")
    with pytest.raises(docs.DocsError):
        docs.generated(tmp_path, {"SLK999": _rule("SLK999")})


def test_gen_docs_script_check(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = ROOT / "scripts" / "gen_docs.py"
    assert subprocess.run([sys.executable, str(script), "--check"], capture_output=True).returncode == 0
    (tmp_path / "README.md").write_text(f"{docs.TABLE_START}\n{docs.TABLE_END}\n")
    checked = subprocess.run([sys.executable, str(script), "--check", "--root", str(tmp_path)], capture_output=True)
    assert checked.returncode == 1
    assert b"README.md is out of date" in checked.stderr
    assert subprocess.run([sys.executable, str(script), "--root", str(tmp_path)]).returncode == 0
    assert subprocess.run([sys.executable, str(script), "--check", "--root", str(tmp_path)]).returncode == 0


# samples and changelog ------------------------------------------------------------------------
def _marks() -> dict[Path, set[str]]:
    """Every golden .py file and the codes its ``# expect:`` marks name."""
    found: dict[Path, set[str]] = {}
    for path in sorted(GOLDEN.rglob("*.py")):
        codes: set[str] = set()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            match = EXPECT_RE.search(line)
            if match:
                codes.update(code.strip() for code in match.group(1).split(","))
        found[path] = codes
    return found


MARKS = _marks()


@pytest.mark.parametrize("code", CODES)
def test_rule_has_a_golden_sample(code: str) -> None:
    assert any(code in codes for codes in MARKS.values()), f"no '# expect: {code}' under {GOLDEN}"


@pytest.mark.parametrize("code", CODES)
def test_rule_has_a_negative_golden_sample(code: str) -> None:
    """A file in the rule's own samples (golden/<code>_*) that expects none of its diagnostics."""
    prefix = code.lower() + "_"
    own = {path: codes for path, codes in MARKS.items() if path.relative_to(GOLDEN).parts[0].startswith(prefix)}
    assert own, f"no golden sample directory {prefix}* for {code}"
    assert any(code not in codes for codes in own.values()), (
        f"every file under golden/{prefix}* expects {code}: add one that pins down silence on idioms"
    )


@pytest.mark.parametrize("code", CODES)
def test_rule_is_in_the_changelog(code: str) -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"\b{code}\b", changelog), f"{code} is not listed in CHANGELOG.md"
