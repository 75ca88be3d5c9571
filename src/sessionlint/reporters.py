"""Output formats. Each reporter turns diagnostics into text; the CLI writes it.

A reporter is ``fn(diagnostics, ctx) -> str``; ``ctx`` (a ``ReportContext``)
carries what some formats need beyond the diagnostics: the project root (SARIF
paths), whether to colour, whether unsafe fixes count as applicable, and the
text of files that are not on disk (stdin).

Formats that carry fixes (``json``, ``sarif``) show a diagnostic's fix as
concrete text edits. Reporters never run fixers: they ask ``ctx.edits``
(``engine.FixEdits``), which applies the operations with libcst on demand,
once per (file, operations) pair, and diffs the result (``edits.py``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence
from urllib.parse import quote

from sessionlint import __version__
from sessionlint.model import Diagnostic, Fix
from sessionlint.edits import Edit
from sessionlint.syntax import display_path

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_BASE_ID = "%SRCROOT%"
INFORMATION_URI = "https://github.com/sessionlint/sessionlint"


class FixEditsLike(Protocol):
    """What reporters need of fixes: the concrete edits of a ``Fix``, or None when it cannot apply."""

    def edits(self, fix: Fix) -> list[Edit] | None: ...


# the context ------------------------------------------------------------------------------
@dataclass
class ReportContext:
    root: str = ""  # the project root; SARIF paths are relative to its repository
    files: int = 0  # files checked
    color: bool = False
    unsafe_fixes: bool = False  # unsafe fixes count as applicable (--unsafe-fixes)
    sources: dict[str, str] = field(default_factory=dict)  # path -> text not on disk (stdin)
    rename: dict[str, str] = field(default_factory=dict)  # path -> name to show ("-" for stdin)
    # The fix edits, handed over by the engine layer (``engine.FixEdits``): reporters never run fixers.
    fix_edits: FixEditsLike | None = field(default=None, repr=False)

    @property
    def edits(self) -> FixEditsLike:
        if self.fix_edits is None:
            from sessionlint.engine import FixEdits  # a face that handed none gets the engine's, over ``sources``

            self.fix_edits = FixEdits(self.sources)
        return self.fix_edits

    def display(self, path: str) -> str:
        """The path to show people: relative to the working directory when below it."""
        return self.rename.get(path) or display_path(path)

    def absolute(self, path: str) -> str:
        return self.rename.get(path) or path

    def applicable(self, fix: Fix | None) -> bool:
        """Whether ``--fix`` applies ``fix`` with the flags of this run."""
        return fix is not None and (fix.applicability == "safe" or self.unsafe_fixes)


Reporter = Callable[[Sequence[Diagnostic], ReportContext], str]
REPORTERS: dict[str, Reporter] = {}


def reporter(name: str) -> Callable[[Reporter], Reporter]:
    def register(fn: Reporter) -> Reporter:
        REPORTERS[name] = fn
        return fn

    return register


def _end(diag: Diagnostic) -> tuple[int, int]:
    """The diagnostic's end, or its start when the rule gave none."""
    if diag.end_line:
        return diag.end_line, max(diag.end_col, 1)
    return diag.line, diag.col


def _rules() -> dict:
    from sessionlint.rules import RULES

    return RULES


# Diagnostic fields every machine format carries as its own (the guard reads the same ones)
STRUCTURED_FIELDS = ("fixture", "scope", "defined", "owner", "owner_kind", "target", "target_key")


def structured(diag: Diagnostic) -> dict[str, str | None]:
    """The structured fields of a diagnostic, None where the rule has nothing to say."""
    return {name: getattr(diag, name) or None for name in STRUCTURED_FIELDS}


def help_line(diag: Diagnostic, indent: str = "  ") -> str:
    """``  help: <remedy>`` under a diagnostic, or nothing when it has no fix_title."""
    return f"{indent}help: {diag.fix_title}\n" if diag.fix_title else ""


# text ----------------------------------------------------------------------------------------
@reporter("text")
def text(diagnostics: Sequence[Diagnostic], ctx: ReportContext | None = None) -> str:
    ctx = ctx or ReportContext()
    return "".join(
        f"{ctx.display(d.path)}:{d.line}:{d.col}: {d.code} {d.message}\n{help_line(d)}" for d in diagnostics
    )


# json ----------------------------------------------------------------------------------------
def _fix_json(diag: Diagnostic, ctx: ReportContext) -> dict | None:
    if diag.fix is None:
        return None
    edits = ctx.edits.edits(diag.fix)
    if not edits:
        return None
    return {
        "applicability": diag.fix.applicability,
        "message": diag.fix.message,
        "edits": [
            {
                "filename": ctx.absolute(e.path),
                "location": {"row": e.row, "column": e.column},
                "end_location": {"row": e.end_row, "column": e.end_column},
                "content": e.content,
            }
            for e in edits
        ],
    }


@reporter("json")
def json_(diagnostics: Sequence[Diagnostic], ctx: ReportContext | None = None) -> str:
    ctx = ctx or ReportContext()
    rules = _rules()
    items = []
    for d in diagnostics:
        end_line, end_column = _end(d)
        rule = rules.get(d.code)
        items.append(
            {
                "code": d.code,
                "message": d.message,
                "filename": ctx.absolute(d.path),
                "line": d.line,
                "column": d.col,
                "end_line": end_line,
                "end_column": end_column,
                "fix": _fix_json(d, ctx),
                "fix_title": d.fix_title or None,
                "url": rule.url if rule else None,
                **structured(d),
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


# sarif ---------------------------------------------------------------------------------------
def sarif_base(root: str) -> str:
    """The directory SARIF paths are relative to: the repository holding ``root``, else ``root``.

    Code scanning resolves relative paths against the repository's checkout,
    so a project in a subdirectory of a repository reports paths from the
    repository's top.
    """
    root = os.path.abspath(root or os.curdir)
    current = root
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return root
        current = parent


def _artifact(path: str, base: str, ctx: ReportContext) -> dict:
    shown = ctx.rename.get(path)
    if shown is not None:
        return {"uri": quote(shown)}
    rel = os.path.relpath(path, base) if os.path.isabs(path) else path
    if rel.startswith(os.pardir):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": SARIF_BASE_ID}


def _region(row: int, column: int, end_row: int, end_column: int) -> dict:
    return {"startLine": row, "startColumn": column, "endLine": end_row, "endColumn": end_column}


def _sarif_rule(rule) -> dict:
    docs = rule.docs()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.what.split())},
        "help": {"text": docs, "markdown": docs},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": "error"},
        "properties": {"fix": rule.fix},
    }


def _sarif_fix(diag: Diagnostic, base: str, ctx: ReportContext) -> dict | None:
    assert diag.fix is not None
    edits = ctx.edits.edits(diag.fix)
    if not edits:
        return None
    changes: dict[str, list[dict]] = {}
    for e in edits:
        changes.setdefault(e.path, []).append(
            {
                "deletedRegion": _region(e.row, e.column, e.end_row, e.end_column),
                "insertedContent": {"text": e.content},
            }
        )
    return {
        "description": {"text": diag.fix.message},
        "artifactChanges": [
            {"artifactLocation": _artifact(path, base, ctx), "replacements": replacements}
            for path, replacements in changes.items()
        ],
        "properties": {"applicability": diag.fix.applicability},
    }


@reporter("sarif")
def sarif(diagnostics: Sequence[Diagnostic], ctx: ReportContext | None = None) -> str:
    ctx = ctx or ReportContext()
    base = sarif_base(ctx.root)
    rules = sorted(_rules().values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        end_line, end_column = _end(d)
        result: dict = {"ruleId": d.code}
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        result["level"] = "error"
        result["message"] = {"text": d.message}
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(d.path, base, ctx),
                    "region": _region(d.line, d.col, end_line, end_column),
                }
            }
        ]
        if d.fix is not None:
            fix = _sarif_fix(d, base, ctx)
            if fix is not None:
                result["fixes"] = [fix]
        properties = {k: v for k, v in {"fix_title": d.fix_title or None, **structured(d)}.items() if v}
        if properties:
            result["properties"] = properties
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sessionlint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_sarif_rule(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {SARIF_BASE_ID: {"uri": Path(base).as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# github --------------------------------------------------------------------------------------
def escape_data(value: str) -> str:
    """A workflow command's message, escaped as GitHub's actions/toolkit does."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value: as a message, and ``:`` and ``,`` too."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


@reporter("github")
def github(diagnostics: Sequence[Diagnostic], ctx: ReportContext | None = None) -> str:
    ctx = ctx or ReportContext()
    lines = []
    for d in diagnostics:
        end_line, end_column = _end(d)
        name = ctx.display(d.path).replace(os.sep, "/")
        props = (
            f"file={escape_property(name)},line={d.line},col={d.col},"
            f"endLine={end_line},endColumn={end_column},title={escape_property(d.code)}"
        )
        message = f"{d.message}\nhelp: {d.fix_title}" if d.fix_title else d.message
        lines.append(f"::error {props}::{escape_data(message)}\n")
    return "".join(lines)


# grouped -------------------------------------------------------------------------------------
_STYLES = {"bold": "1", "dim": "2", "red": "31;1", "cyan": "36", "green": "32"}


def _paint(ctx: ReportContext, style: str, value: str) -> str:
    return f"\x1b[{_STYLES[style]}m{value}\x1b[0m" if ctx.color else value


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {plural or word + 's'}"


def summary(diagnostics: Sequence[Diagnostic], ctx: ReportContext, fixed: int = 0) -> str:
    """ruff's closing lines, for the human formats (the CLI prints them after the report).

    ``Found N errors.`` (``Found T errors (F fixed, N remaining).`` after
    ``--fix``) or ``All checks passed!``; then what ``--fix`` can still do:
    ``[*] M fixable with the `--fix` option.``, and the fixes that only
    ``--unsafe-fixes`` enables (ruff's "hidden fixes").
    """
    remaining = len(diagnostics)
    total = remaining + fixed
    if fixed:
        lines = [f"Found {_plural(total, 'error')} ({fixed} fixed, {remaining} remaining)."]
    elif remaining:
        lines = [f"Found {_plural(remaining, 'error')}."]
    else:
        lines = ["All checks passed!"]
    applicable = sum(1 for d in diagnostics if ctx.applicable(d.fix))
    hidden = sum(1 for d in diagnostics if d.fix is not None and not ctx.applicable(d.fix))
    star = _paint(ctx, "cyan", "[*]")
    hint = f"{_plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled with the `--unsafe-fixes` option"
    if applicable and hidden:
        lines.append(f"{star} {applicable} fixable with the `--fix` option ({hint}).")
    elif applicable:
        lines.append(f"{star} {applicable} fixable with the `--fix` option.")
    elif hidden:
        lines.append(f"No fixes available ({hint}).")
    return "".join(line + "\n" for line in lines)


@reporter("grouped")
def grouped(diagnostics: Sequence[Diagnostic], ctx: ReportContext | None = None) -> str:
    ctx = ctx or ReportContext()
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    out = []
    for path, diags in by_path.items():
        out.append(_paint(ctx, "bold", f"{ctx.display(path)}:") + "\n")
        width = max(len(f"{d.line}:{d.col}") for d in diags)
        for d in diags:
            where = f"{d.line}:{d.col}".ljust(width)
            mark = " " + _paint(ctx, "cyan", "[*]") if ctx.applicable(d.fix) else ""
            out.append(f"  {_paint(ctx, 'dim', where)} {_paint(ctx, 'red', d.code)}{mark} {d.message}\n")
            out.append(help_line(d, " " * (width + 3)))
        out.append("\n")
    return "".join(out)  # the CLI ends it with ruff's summary (``summary``), unless --quiet


# statistics and fixes --------------------------------------------------------------------------
def statistics(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> list[dict]:
    """Per code: name, count, and whether --fix (with this run's flags) fixes some of them."""
    rules = _rules()
    counts: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        counts.setdefault(d.code, []).append(d)
    rows = []
    for code, diags in counts.items():
        rule = rules.get(code)
        rows.append(
            {
                "code": code,
                "name": rule.name if rule else "",
                "count": len(diags),
                "fixable": any(ctx.applicable(d.fix) for d in diags),
            }
        )
    rows.sort(key=lambda row: (-row["count"], row["code"]))
    return rows


def statistics_text(rows: list[dict]) -> str:
    if not rows:
        return ""
    width = max(len(str(row["count"])) for row in rows)
    code_width = max(len(row["code"]) for row in rows)
    return "".join(
        f"{row['count']:>{width}}  {row['code']:<{code_width}}  {'[*]' if row['fixable'] else '[ ]'}  {row['name']}\n"
        for row in rows
    )


def available_fixes(diagnostics: Sequence[Diagnostic], ctx: ReportContext) -> str:
    """What ``--fix`` would fix, and what it would fix with ``--unsafe-fixes`` as well."""
    rules = _rules()
    safe = [d for d in diagnostics if d.fix is not None and d.fix.applicability == "safe"]
    unsafe = [d for d in diagnostics if d.fix is not None and d.fix.applicability != "safe"]
    if not safe and not unsafe:
        return "No fixes available\n"
    out = []
    for diags, flags in ((safe, "--fix"), (unsafe, "--fix --unsafe-fixes")):
        if not diags:
            continue
        out.append(f"{_plural(len(diags), 'fix', 'fixes')} available with {flags}:\n")
        for d in diags:
            assert d.fix is not None
            rule = rules.get(d.code)
            name = f" ({rule.name})" if rule else ""
            out.append(f"  {ctx.display(d.path)}:{d.line}:{d.col}: {d.code}{name}: {d.fix.message}\n")
    return "".join(out)


def applied_fixes(fixed: Sequence[Diagnostic], ctx: ReportContext, dry_run: bool = False) -> str:
    """The fixes that ``--fix`` applied (or, with ``--diff``, would apply), per file and code."""
    if not fixed:
        return "No fixes applied\n" if not dry_run else "No fixes to apply\n"
    rules = _rules()
    by_path: dict[str, dict[str, int]] = {}
    for d in fixed:
        codes = by_path.setdefault(d.path, {})
        codes[d.code] = codes.get(d.code, 0) + 1
    out = [f"{'Would fix' if dry_run else 'Fixed'} {_plural(len(fixed), 'diagnostic')}:\n"]
    for path in sorted(by_path):
        out.append(f"- {ctx.display(path)}:\n")
        for code, count in sorted(by_path[path].items(), key=lambda item: (-item[1], item[0])):
            rule = rules.get(code)
            name = f" ({rule.name})" if rule else ""
            out.append(f"    {count} × {code}{name}\n")
    return "".join(out)
