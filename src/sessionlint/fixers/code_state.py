"""The code_state family keeps its fixers beside its rules; importing them registers them."""

from sessionlint.rules.code_state import fix  # noqa: F401
