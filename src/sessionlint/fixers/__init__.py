"""libcst fixers of the rule families, imported only when a fix is built.

Rules name a fixer by its kind in ``FixOp``; ``sessionlint.fixes.apply_ops``
imports these modules, so a run that only lints never pays libcst's import.
"""

FAMILIES = ("resources", "database", "globalstate", "scope", "code_state")
