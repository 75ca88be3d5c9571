"""The command line: ``sessionlint [PATHS]``, ``--fix``, ``sessionlint rule CODE``.

Exit codes: 0 nothing reported, 1 diagnostics remain or files were rewritten,
2 usage, configuration or internal error (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from dataclasses import replace
from typing import Sequence

from sessionlint import __version__, config
from sessionlint.config import ConfigError, Settings
from sessionlint.discovery import DiscoveryError
from sessionlint.engine import MAX_FIX_PASSES, Engine, FixResult, Result
from sessionlint.model import Diagnostic, FixOp
from sessionlint.reporters import (
    REPORTERS,
    ReportContext,
    applied_fixes,
    available_fixes,
    display_path,
    statistics,
    statistics_text,
)
from sessionlint.sources import Source, SourceError, decode, parse, read, write_atomic

HUMAN_FORMATS = ("text", "grouped")  # --show-fixes and --statistics go to stdout only with these


class UsageError(Exception):
    """A request that cannot be carried out (an unwritable --output-file...)."""


def _codes(value: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not code.isalnum():
            raise argparse.ArgumentTypeError(f"not a rule code or prefix: {code!r}")
    return codes


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sessionlint",
        description="Find and fix the causes of order-dependent pytest failures.",
        epilog="`sessionlint rule CODE` prints a rule's documentation; `sessionlint rule --all` lists the rules.",
    )
    parser.add_argument("paths", nargs="*", help="files or directories (default: .); - reads stdin")
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixing.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (with --fix or --diff)")
    fixing.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    fixing.add_argument(
        "--show-fixes", action="store_true", help="list the fixes --fix applied, or those it would apply"
    )
    selection = parser.add_argument_group("rule selection")
    # repeated flags combine (--select SLK1 --select SLK2), as in ruff
    selection.add_argument(
        "--select", type=_codes, action="append", help="codes or prefixes to report, replacing the configured ones"
    )
    selection.add_argument("--ignore", type=_codes, action="append", help="codes or prefixes not to report")
    selection.add_argument(
        "--extend-select", type=_codes, action="append", help="codes or prefixes to add to the selection"
    )
    selection.add_argument(
        "--extend-ignore", type=_codes, action="append", help="codes or prefixes to add to those ignored"
    )
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)")
    output.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    output.add_argument("--statistics", action="store_true", help="count diagnostics per code instead of listing them")
    output.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto",
        help="colour the output: auto (on a terminal, unless NO_COLOR is set), always, never",
    )  # fmt: skip
    output.add_argument("--no-color", action="store_true", help="never colour the output (as --color never)")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are reported")
    output.add_argument(
        "--exit-non-zero-on-fix",
        action="store_true",
        help="with --fix: exit 1 when files were rewritten, even if nothing remains",
    )
    output.add_argument("-q", "--quiet", action="store_true", help="print diagnostics only, no notes on stderr")
    settings = parser.add_argument_group("configuration")
    settings.add_argument("--config", metavar="FILE", help="read options from FILE instead of pyproject.toml")
    settings.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    settings.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    settings.add_argument("--cache-dir", help="cache directory (default: .sessionlint_cache at the project root)")
    settings.add_argument("-j", "--jobs", type=_positive, help="worker processes (default: number of cores)")
    stdin = parser.add_argument_group("editors")
    stdin.add_argument("--stdin-filename", metavar="PATH", help="the file name of the source read from stdin (-)")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation (as `sessionlint rule CODE`)")
    parser.add_argument("--version", action="version", version=f"sessionlint {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in ("rule", "explain"):
            return _rule(argv[1:])
        args = build_parser().parse_args(argv)
        if not args.paths:
            args.paths = ["-"] if args.stdin_filename else ["."]
        if args.explain:
            return _rule([args.explain])
        return _check(args)
    except SystemExit as exc:  # argparse: --help, --version, usage errors (already printed)
        return exc.code if isinstance(exc.code, int) else 2
    except (ConfigError, DiscoveryError, UsageError) as exc:
        print(f"sessionlint: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug must not become a traceback for the user
        print(
            f"sessionlint: internal error: {type(exc).__name__}: {exc} "
            "(please report this with the file that caused it)",
            file=sys.stderr,
        )
        return 2


# sessionlint rule -----------------------------------------------------------------------------
def _rule(argv: list[str]) -> int:
    from sessionlint.rules import RULES

    parser = argparse.ArgumentParser(prog="sessionlint rule", description="Show a rule's documentation.")
    parser.add_argument("code", nargs="?", help="rule code or name, e.g. SLK101 or mutable-fixture-value")
    parser.add_argument("--all", action="store_true", help="list every rule: code, name, fix availability")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    args = parser.parse_args(argv)
    if args.all or not args.code:
        rules = sorted(RULES.values(), key=lambda r: r.code)
        if args.format == "json":
            print(json.dumps([_rule_json(rule, docs=False) for rule in rules], indent=2))
        else:
            width = max(len(rule.name) for rule in rules)
            for rule in rules:
                print(f"{rule.code}  {rule.name:<{width}}  fix: {rule.fix:<9}  {rule.summary}")
        return 0
    rule = RULES.get(args.code.upper()) or next((r for r in RULES.values() if r.name == args.code), None)
    if rule is None:
        print(f"sessionlint: error: unknown rule {args.code!r} (see `sessionlint rule --all`)", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(_rule_json(rule, docs=True), indent=2))
    else:
        print(rule.docs(), end="")
    return 0


def _rule_json(rule, docs: bool) -> dict:
    item = {"code": rule.code, "name": rule.name, "summary": rule.summary, "fix": rule.fix, "url": rule.url}
    if docs:
        item["explanation"] = rule.docs()
    return item


# settings -------------------------------------------------------------------------------------
def _settings(args: argparse.Namespace) -> tuple[Settings, dict]:
    if args.paths and args.paths[0] != "-":
        start = args.paths[0]
    else:
        start = args.stdin_filename or "."
    if not os.path.exists(start) and not (args.paths == ["-"] and args.stdin_filename):
        start = "."  # a missing path is reported by discovery
    settings, extra = config.resolve(start, args.config, args.isolated)
    changes: dict = {}
    for option in ("select", "ignore", "extend_select", "extend_ignore"):
        codes = tuple(code for group in getattr(args, option) or () for code in group)
        for code in codes:
            if not config.matches_a_rule(code):
                raise UsageError(
                    f"--{option.replace('_', '-')}: unknown rule selector {code!r} (see `sessionlint rule --all`)"
                )
        setattr(args, option, codes if getattr(args, option) is not None else None)
    if args.select is not None:
        changes["select"] = args.select
        changes["extend_select"] = ()  # --select on the command line replaces the configured selection
    if args.ignore is not None or args.extend_ignore is not None:
        changes["ignore"] = settings.ignore + (args.ignore or ()) + (args.extend_ignore or ())
    if args.extend_select is not None:
        changes["extend_select"] = changes.get("extend_select", settings.extend_select) + args.extend_select
    return replace(settings, **changes), extra


def _engine(args: argparse.Namespace, settings: Settings, extra: dict) -> Engine:
    jobs = args.jobs or extra.get("jobs") or os.cpu_count() or 1
    cache_dir = None
    if not args.no_cache:
        cache_dir = args.cache_dir or extra.get("cache_dir") or os.path.join(settings.root, ".sessionlint_cache")
        if not os.path.isabs(cache_dir):
            cache_dir = os.path.join(settings.root, cache_dir)
    return Engine(settings, jobs=jobs, cache_dir=cache_dir)


def _note(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def _color(args: argparse.Namespace) -> bool:
    """Colour only on a terminal, never with --no-color, NO_COLOR or --output-file."""
    if args.no_color or args.color == "never":
        return False
    if args.color == "always":
        return True
    if os.environ.get("NO_COLOR") or args.output_file:
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _context(args: argparse.Namespace, settings: Settings, result: Result | None, **kwargs) -> ReportContext:
    return ReportContext(
        root=settings.root,
        files=result.files if result is not None else 0,
        color=_color(args),
        unsafe_fixes=args.unsafe_fixes,
        **kwargs,
    )


# linting and fixing files ------------------------------------------------------------------------
def _check(args: argparse.Namespace) -> int:
    settings, extra = _settings(args)
    for warning in settings.warnings:
        _note(args, f"sessionlint: warning: {warning}")
    engine = _engine(args, settings, extra)
    if "-" in args.paths:
        if args.paths != ["-"]:
            raise UsageError("- (stdin) cannot be combined with other paths")
        return _check_stdin(args, engine, settings)
    if args.stdin_filename:
        raise UsageError("--stdin-filename needs - (stdin) as the path")
    if args.diff:
        outcome = engine.fix(args.paths, unsafe=args.unsafe_fixes)
        for failure in outcome.failures:
            _note(args, f"sessionlint: {failure}")
        diff = _diff(outcome)
        _write(args, diff)
        if args.show_fixes:
            _note(args, applied_fixes(outcome.fixed, _context(args, settings, outcome.result), dry_run=True).rstrip())
        return _internal_errors(outcome.result.errors, 1 if diff else 0)
    status = 0
    fixed: list[Diagnostic] | None = None
    texts: dict[str, str] = {}
    if args.fix:
        outcome = engine.fix(args.paths, unsafe=args.unsafe_fixes)
        for failure in outcome.failures:
            _note(args, f"sessionlint: {failure}")
        if _write_fixes(args, outcome) and args.exit_non_zero_on_fix:
            status = 1
        result, fixed, texts = outcome.result, outcome.fixed, outcome.texts
    else:
        result = engine.lint(args.paths)
    # what remains after --fix was found in the fixed texts: edits are computed against them
    ctx = _context(args, settings, result, sources=dict(texts))
    _report(args, result, ctx, fixed)
    if args.format == "text" and not args.statistics and (result.diagnostics or fixed):
        _note(args, _summary(result.diagnostics, ctx, args))  # a clean lint stays silent on stderr
    if result.diagnostics and not args.exit_zero:
        status = 1
    return _internal_errors(result.errors, status)


def _summary(diagnostics: list[Diagnostic], ctx: ReportContext, args: argparse.Namespace) -> str:
    """ruff's closing lines: ``Found N errors.`` or ``All checks passed!``, then what --fix can do."""
    if not diagnostics:
        return "All checks passed!"
    lines = [f"Found {len(diagnostics)} error{'s' if len(diagnostics) != 1 else ''}."]
    safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability == "safe")
    unsafe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability != "safe")
    if args.unsafe_fixes:
        safe, unsafe = safe + unsafe, 0
    if safe:
        lines.append(f"[*] {safe} fixable with the --fix option.")
    if unsafe:
        hidden = f"{unsafe} hidden fix{'es' if unsafe != 1 else ''}"
        lines.append(f"No fixes available ({hidden} can be enabled with the `--unsafe-fixes` option)." if not safe
                     else f"({hidden} can be enabled with the `--unsafe-fixes` option).")  # fmt: skip
    return "\n".join(lines)


def _internal_errors(errors: list[str], status: int) -> int:
    for error in errors:
        print(f"sessionlint: {error} (please report this)", file=sys.stderr)
    return 2 if errors else status


def _write_fixes(args: argparse.Namespace, outcome: FixResult) -> bool:
    """Write the fixed files; True when any file was rewritten or could not be (its findings remain)."""
    changed = False
    for path, text in sorted(outcome.texts.items()):
        changed = True
        try:
            source = read(path)
            write_atomic(path, source.encode(text))
        except (OSError, SourceError, UnicodeEncodeError) as exc:
            print(f"sessionlint: {display_path(path)}: not rewritten: {exc}", file=sys.stderr)
            continue
        _note(args, f"Rewriting {display_path(path)}")
    return changed


def _unified(before: str, after: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    )


def _diff(outcome: FixResult) -> str:
    chunks = []
    for path, text in sorted(outcome.texts.items()):
        try:
            before = read(path).text
        except (OSError, SourceError):
            continue
        chunks.append(_unified(before, text, display_path(path)))
    return "".join(chunks)


def _report(
    args: argparse.Namespace, result: Result, ctx: ReportContext, fixed: list[Diagnostic] | None = None
) -> None:
    """The report in the chosen format, then what --show-fixes asks for."""
    diagnostics = result.diagnostics
    if args.statistics:
        rows = statistics(diagnostics, ctx)
        out = json.dumps(rows, indent=2) + "\n" if args.format == "json" else statistics_text(rows)
    else:
        out = REPORTERS[args.format](diagnostics, ctx)
    if args.show_fixes:
        shown = applied_fixes(fixed, ctx) if fixed is not None else available_fixes(diagnostics, ctx)
        if args.format in HUMAN_FORMATS:
            out += ("\n" if out else "") + shown
        else:
            _note(args, shown.rstrip())
    _write(args, out)


def _write(args: argparse.Namespace, out: str) -> None:
    if args.output_file:
        try:
            directory = os.path.dirname(os.path.abspath(args.output_file))
            os.makedirs(directory, exist_ok=True)
            with open(args.output_file, "w", encoding="utf-8") as f:
                f.write(out)
        except OSError as exc:
            raise UsageError(f"cannot write --output-file {args.output_file}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(out)
        sys.stdout.flush()


# stdin ------------------------------------------------------------------------------------------
def _check_stdin(args: argparse.Namespace, engine: Engine, settings: Settings) -> int:
    """``sessionlint - --stdin-filename PATH``: lint (or, with --fix, fix) the source on stdin.

    Diagnostics carry the given file name; fixtures resolve from that file's
    real directory (its conftest.py chain). With --fix the fixed source goes
    to stdout, the diagnostics left to stderr, and the exit code is 0.
    """
    data = sys.stdin.buffer.read()
    if not args.stdin_filename:
        _note(
            args,
            "sessionlint: warning: reading stdin without --stdin-filename: fixtures from conftest.py files "
            "cannot be resolved without a file name",
        )
    # without a file name the source is taken for a test module in the working directory
    name = os.path.abspath(args.stdin_filename or "test_stdin.py")
    rename = {} if args.stdin_filename else {name: "-"}
    try:
        source = decode(data)
    except SourceError as exc:
        if args.fix:
            sys.stdout.buffer.write(data)  # an editor must get its buffer back
            sys.stdout.flush()
        print(f"sessionlint: error: {args.stdin_filename or 'stdin'}: {exc}", file=sys.stderr)
        return 2
    if args.stdin_filename and settings.excluded(name):
        if args.fix:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        elif not args.diff:
            _report(args, Result(), _context(args, settings, None, rename=rename))
        return 0
    if args.fix or args.diff:
        return _fix_stdin(args, engine, settings, name, data, source, rename)
    result = _lint_stdin(engine, name, source.text)
    ctx = _context(args, settings, result, sources={name: source.text}, rename=rename)
    _report(args, result, ctx)
    status = 1 if result.diagnostics and not args.exit_zero else 0
    return _internal_errors(result.errors, status)


def _lint_stdin(engine: Engine, name: str, text: str) -> Result:
    result = engine.lint([], {name: text}, files=[name])
    result.diagnostics = [d for d in result.diagnostics if d.path == name]
    return result


def _fix_stdin(
    args: argparse.Namespace,
    engine: Engine,
    settings: Settings,
    name: str,
    data: bytes,
    source: Source,
    rename: dict[str, str],
) -> int:
    """Fix the stdin source as ``Engine.fix`` fixes files, with only fixes confined to it."""
    from sessionlint.fixes import FixError, apply_ops

    text = source.text
    failed: set[FixOp] = set()
    fixed: list[Diagnostic] = []
    for _ in range(MAX_FIX_PASSES):
        result = _lint_stdin(engine, name, text)
        fixable = [
            d for d in result.diagnostics
            if d.fix is not None and (args.unsafe_fixes or d.fix.applicability == "safe")
            and all(op.path == name for op in d.fix.ops)  # a fix that edits other files cannot go to stdout
            and not any(op in failed for op in d.fix.ops)
        ]  # fmt: skip
        if not fixable:
            break
        first = min(d.fix.priority for d in fixable if d.fix)
        fixable = [d for d in fixable if d.fix and d.fix.priority == first]
        ops = list(dict.fromkeys(op for d in fixable if d.fix for op in d.fix.ops))
        try:
            new = apply_ops(text, ops)
            parse(new, name)
        except (FixError, SyntaxError) as exc:
            _note(args, f"sessionlint: {args.stdin_filename or 'stdin'}: not fixed: {exc}")
            failed.update(ops)
            continue
        if new == text:
            break
        text = new
        fixed.extend(fixable)
    result = _lint_stdin(engine, name, text)
    ctx = _context(args, settings, result, sources={name: text}, rename=rename)
    shown = args.stdin_filename or "-"
    if args.diff:
        diff = _unified(source.text, text, display_path(name) if args.stdin_filename else shown)
        _write(args, diff)
        if args.show_fixes:
            _note(args, applied_fixes(fixed, ctx, dry_run=True).rstrip())
        return _internal_errors(result.errors, 1 if diff else 0)
    try:
        out = data if text == source.text else source.encode(text)
    except UnicodeEncodeError:
        _note(args, f"sessionlint: {shown}: not fixed: the fixed source cannot be encoded as {source.encoding}")
        out = data
    sys.stdout.flush()
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    if not args.quiet:
        sys.stderr.write(REPORTERS["text"](result.diagnostics, ctx))
        if args.show_fixes:
            sys.stderr.write(applied_fixes(fixed, ctx))
    return _internal_errors(result.errors, 0)
