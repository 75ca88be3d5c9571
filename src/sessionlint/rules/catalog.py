"""The rule catalog: every code and its name, the one hand-kept list of rules.

The codes are a contract with users, tests and docs (DESIGN.md). Each code's
``Rule`` lives in the family package that checks it (``rules/<family>/``);
``tests/test_rules_meta.py`` checks this table against what the walk finds.
"""

CATALOG: dict[str, str] = {
    "SLK001": "parse-error",
    "SLK101": "mutable-fixture-value",
    "SLK102": "shared-module-state",
    "SLK103": "missing-teardown",
    "SLK104": "resource-returned",
    "SLK201": "test-mutates-shared-fixture",
    "SLK202": "fixture-mutates-shared-fixture",
    "SLK203": "test-mutates-module-state",
    "SLK301": "global-state-not-restored",
    "SLK401": "shared-db-session",
    "SLK402": "transaction-not-rolled-back",
    "SLK403": "schema-not-dropped",
    "SLK501": "scope-mismatch",
    "SLK601": "memoized-function-outlives-patch",
    "SLK602": "import-time-state-under-patch",
    "SLK603": "first-party-function-mutates-shared-argument",
    "SLK604": "test-writes-class-shared-state",
    "SLK605": "test-fills-module-registry",
}

from sessionlint.config import PREVIEW  # noqa: E402,F401 - the preview rules (off unless selected by full code)
