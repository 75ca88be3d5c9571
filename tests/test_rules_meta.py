"""The rule set checks itself: registered once, documented, covered by samples, listed in the changelog."""

from __future__ import annotations

import importlib
import re
import types
from pathlib import Path

import pytest

from helpers import EXPECT_RE
from sessionlint import docs
from sessionlint import rules
from sessionlint.rules import RULES, catalog
from sessionlint.rules.base import Example, Rule

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures_samples" / "golden"
# DESIGN.md's rule catalog: the codes are a contract with users, tests and docs.
CATALOG = {
    "SLK001": "parse-error", "SLK101": "mutable-fixture-value", "SLK102": "shared-module-state",
    "SLK103": "missing-teardown", "SLK104": "resource-returned", "SLK201": "test-mutates-shared-fixture",
    "SLK202": "fixture-mutates-shared-fixture", "SLK203": "test-mutates-module-state",
    "SLK301": "global-state-not-restored",
    "SLK401": "shared-db-session", "SLK402": "transaction-not-rolled-back", "SLK403": "schema-not-dropped",
    "SLK501": "scope-mismatch",
    "SLK601": "memoized-function-outlives-patch", "SLK602": "import-time-state-under-patch",
    "SLK603": "first-party-function-mutates-shared-argument",
    "SLK604": "test-writes-class-shared-state",
    "SLK605": "test-fills-module-registry",
}  # fmt: skip
CODES = sorted(RULES)


def _rule(code: str, name: str = "a-rule") -> Rule:
    return Rule(code, name, "flags x", "none", "what", "why", "bad()", "good()", "no fix")


# registration --------------------------------------------------------------------------------
def test_catalog_codes_are_registered() -> None:
    assert set(RULES) == set(CATALOG)
    assert catalog.CATALOG == CATALOG


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


def test_a_code_registered_twice_raises() -> None:
    one = types.SimpleNamespace(RULES=[_rule("SLK999", "first")])
    two = types.SimpleNamespace(RULES=[_rule("SLK999", "second")])
    with pytest.raises(RuntimeError, match="SLK999 registered twice"):
        rules._register([one, two])


def test_distinct_codes_register_sorted_by_code() -> None:
    one = types.SimpleNamespace(RULES=[_rule("SLK999", "first")])
    two = types.SimpleNamespace(RULES=[_rule("SLK998", "second")])
    assert list(rules._register([one, two])) == ["SLK998", "SLK999"]


def test_families_are_found_by_walking_the_rules_package() -> None:
    """Every package under sessionlint/rules/ is a family; the catalog is the only hand-kept list."""
    rules_dir = Path(rules.__file__).parent
    packages = sorted(p.name for p in rules_dir.iterdir() if (p / "__init__.py").is_file())
    assert sorted(rules.FAMILIES) == packages
    found = {rule.code: rule.name for module in rules.MODULES for rule in module.RULES}
    assert found == CATALOG
    assert {code: rule.name for code, rule in RULES.items()} == CATALOG


def test_each_family_keeps_its_fixers_beside_its_rules() -> None:
    """A fixer kind named by a family's FixOps is registered by that family's fix.py."""
    from sessionlint import fixes

    fixes._load_fixers()
    for kind, fn in fixes.FIXERS.items():
        family = fn.__module__.removeprefix("sessionlint.rules.").removesuffix(".fix")
        assert fn.__module__ == f"sessionlint.rules.{family}.fix", kind
        assert family in rules.FAMILIES, kind
        source = Path(importlib.import_module(f"sessionlint.rules.{family}").__file__).parent
        text = "".join(p.read_text(encoding="utf-8") for p in source.glob("*.py") if p.name != "fix.py")
        assert f'"{kind}"' in text, f"fixer {kind} is not used by the family that defines it"


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


def test_rules_never_read_files() -> None:
    """The engine hands rules what they need (facts, Project.get); no rule module opens a file."""
    import ast

    rules_dir = Path(rules.__file__).parent
    for path in sorted(rules_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                assert name not in ("open", "read_text", "read_bytes", "scandir", "listdir"), f"{path}:{node.lineno}"
            if isinstance(node, ast.ImportFrom) and node.module == "sessionlint.sources":
                raise AssertionError(f"{path}: imports sessionlint.sources")
