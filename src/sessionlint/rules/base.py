"""What every rule carries: its code, name, documentation and examples."""

from __future__ import annotations

from dataclasses import dataclass, field

DOCS_URL = "https://github.com/sessionlint/sessionlint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Example:
    """An INVALID example: ``source`` is a test module (``test_example.py``).

    ``fixed`` is the module after ``--fix`` (with ``--unsafe-fixes`` when
    ``unsafe``), or None when the rule offers no fix for it. ``files`` adds
    other files of the example project (``conftest.py``...).
    """

    source: str
    fixed: str | None = None
    unsafe: bool = False
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str  # one line: what it flags
    fix: str  # "always" | "sometimes" | "none"
    what: str
    why: str
    example: str
    use_instead: str
    fix_safety: str
    options: str = "None."
    references: tuple[str, ...] = ()
    valid: tuple[str, ...] = ()
    invalid: tuple[Example, ...] = ()

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    def docs(self) -> str:
        """The rule's documentation in ruff's template, as Markdown."""
        refs = "\n".join(f"- {r}" for r in self.references) or "None."
        return (
            f"# {self.code} {self.name}\n\n"
            f"Fix: {_FIX_LABEL[self.fix]}\n\n"
            f"## What it does\n{self.what.strip()}\n\n"
            f"## Why is this bad?\n{self.why.strip()}\n\n"
            f"## Example\n```python\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n```python\n{self.use_instead.strip()}\n```\n\n"
            f"## Fix safety\n{self.fix_safety.strip()}\n\n"
            f"## Options\n{self.options.strip()}\n\n"
            f"## References\n{refs}\n"
        )


_FIX_LABEL = {"always": "always available", "sometimes": "sometimes available", "none": "not available"}
