"""The command line: ``sessionlint [PATHS]``, ``--fix``, ``sessionlint rule CODE``."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import Sequence

from sessionlint import __version__, config
from sessionlint.config import ConfigError, Settings
from sessionlint.discovery import DiscoveryError
from sessionlint.engine import Engine, FixResult, Result
from sessionlint.reporters import REPORTERS, display_path
from sessionlint.sources import SourceError, decode, read, write_atomic


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
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .); - reads stdin")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (with --fix or --diff)")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    parser.add_argument("--select", type=_codes, help="codes or prefixes to report (default: SLK)")
    parser.add_argument("--ignore", type=_codes, help="codes or prefixes not to report")
    parser.add_argument("--extend-select", type=_codes, help="codes or prefixes to add to the selection")
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format")
    parser.add_argument("--output-file", help="write the report to this file instead of stdout")
    parser.add_argument("--statistics", action="store_true", help="count diagnostics per code")
    parser.add_argument("--show-fixes", action="store_true", help="list what --fix would change (or changed)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are reported")
    parser.add_argument("--config", help="read options from this TOML file instead of pyproject.toml")
    parser.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--cache-dir", help="cache directory (default: .sessionlint_cache at the project root)")
    parser.add_argument("-j", "--jobs", type=_positive, help="worker processes (default: number of cores)")
    parser.add_argument("--stdin-filename", help="the file name to report for source read from stdin")
    parser.add_argument("-q", "--quiet", action="store_true", help="print diagnostics only, no notes on stderr")
    parser.add_argument("--version", action="version", version=f"sessionlint {__version__}")
    return parser


def _settings(args: argparse.Namespace) -> tuple[Settings, dict]:
    start = args.paths[0] if args.paths and args.paths[0] != "-" else (args.stdin_filename or ".")
    if not os.path.exists(start):
        start = "."
    root = config.find_root(start)
    settings, extra = config.load(root, args.config, args.isolated)
    changes: dict = {}
    if args.select is not None:
        changes["select"] = args.select
    if args.ignore is not None:
        changes["ignore"] = settings.ignore + args.ignore
    if args.extend_select is not None:
        changes["extend_select"] = settings.extend_select + args.extend_select
    from dataclasses import replace

    return replace(settings, **changes), extra


def _engine(args: argparse.Namespace, settings: Settings, extra: dict) -> Engine:
    jobs = args.jobs or extra.get("jobs") or os.cpu_count() or 1
    cache_dir = None
    if not args.no_cache:
        cache_dir = args.cache_dir or extra.get("cache_dir") or os.path.join(settings.root, ".sessionlint_cache")
        if not os.path.isabs(cache_dir):
            cache_dir = os.path.join(settings.root, cache_dir)
    return Engine(settings, jobs=jobs, cache_dir=cache_dir)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in ("rule", "explain"):
            return _rule(argv[1:])
        return _check(build_parser().parse_args(argv))
    except (ConfigError, DiscoveryError) as exc:
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


def _rule(argv: list[str]) -> int:
    from sessionlint.rules import RULES

    parser = argparse.ArgumentParser(prog="sessionlint rule", description="Show a rule's documentation.")
    parser.add_argument("code", nargs="?", help="rule code, e.g. SLK101")
    parser.add_argument("--all", action="store_true", help="list every rule: code, name, fix")
    args = parser.parse_args(argv)
    if args.all or not args.code:
        for rule in RULES.values():
            print(f"{rule.code}  {rule.name:<36} fix: {rule.fix:<9} {rule.summary}")
        return 0
    rule = RULES.get(args.code.upper())
    if rule is None:
        for candidate in RULES.values():
            if candidate.name == args.code:
                rule = candidate
    if rule is None:
        print(f"sessionlint: error: unknown rule {args.code!r} (see `sessionlint rule --all`)", file=sys.stderr)
        return 2
    print(rule.docs(), end="")
    return 0


def _note(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    settings, extra = _settings(args)
    for warning in settings.warnings:
        _note(args, f"sessionlint: warning: {warning}")
    engine = _engine(args, settings, extra)
    if args.paths == ["-"]:
        return _check_stdin(args, engine)
    if "-" in args.paths:
        raise DiscoveryError("- (stdin) cannot be combined with other paths")
    status = 0
    if args.fix or args.diff:
        outcome = engine.fix(args.paths, unsafe=args.unsafe_fixes)
        result = outcome.result
        for failure in outcome.failures:
            _note(args, f"sessionlint: {failure}")
        if args.diff:
            diff = _diff(outcome)
            _write(args, diff)
            if diff:
                status = 1
            result = None  # with --diff only the diff is printed
        else:
            if _write_fixes(args, outcome):
                status = 1
    else:
        result = engine.lint(args.paths)
    if result is not None:
        _report(args, result)
        if result.diagnostics and not args.exit_zero:
            status = 1
        errors = result.errors
    else:
        errors = []
    for error in errors:
        print(f"sessionlint: {error} (please report this)", file=sys.stderr)
    if errors:
        status = 2
    return status


def _write_fixes(args: argparse.Namespace, outcome: FixResult) -> bool:
    rewritten = False
    for path, text in sorted(outcome.texts.items()):
        try:
            source = read(path)
            write_atomic(path, source.encode(text))
        except (OSError, SourceError, UnicodeEncodeError) as exc:
            print(f"sessionlint: {display_path(path)}: not rewritten: {exc}", file=sys.stderr)
            continue
        rewritten = True
        _note(args, f"Rewriting {display_path(path)}")
    return rewritten


def _diff(outcome: FixResult) -> str:
    chunks = []
    for path, text in sorted(outcome.texts.items()):
        try:
            before = read(path).text
        except (OSError, SourceError):
            continue
        name = display_path(path)
        chunks.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{name}", f"b/{name}"
            )
        )
    return "".join(chunks)


def _report(args: argparse.Namespace, result: Result) -> None:
    out = REPORTERS[args.format](result.diagnostics)
    if args.statistics:
        counts: dict[str, int] = {}
        for diag in result.diagnostics:
            counts[diag.code] = counts.get(diag.code, 0) + 1
        out = "".join(f"{n:>5}\t{code}\n" for code, n in sorted(counts.items()))
    _write(args, out)


def _write(args: argparse.Namespace, out: str) -> None:
    if args.output_file:
        with open(args.output_file, "w", encoding="utf-8") as f:
            f.write(out)
    else:
        sys.stdout.write(out)


def _check_stdin(args: argparse.Namespace, engine: Engine) -> int:
    data = sys.stdin.buffer.read()
    name = os.path.abspath(args.stdin_filename) if args.stdin_filename else os.path.abspath("stdin.py")
    try:
        text = decode(data).text
    except SourceError as exc:
        print(f"sessionlint: error: stdin: {exc}", file=sys.stderr)
        return 2
    if args.fix:
        from sessionlint.fixes import FixError, apply_ops

        outcome = engine.lint([], {name: text}, files=[name])
        ops = [
            op for d in outcome.diagnostics if d.fix and d.path == name and (args.unsafe_fixes or d.fix.applicability == "safe")
            for op in d.fix.ops if op.path == name
        ]  # fmt: skip
        fixed = text
        if ops:
            try:
                fixed = apply_ops(text, list(dict.fromkeys(ops)))
            except FixError as exc:
                print(f"sessionlint: stdin: not fixed: {exc}", file=sys.stderr)
        sys.stdout.write(fixed)
        return 0
    result = engine.lint([], {name: text}, files=[name])
    if args.stdin_filename is None:
        for diag in result.diagnostics:
            object.__setattr__(diag, "path", "-")
    _report(args, result)
    return 1 if result.diagnostics and not args.exit_zero else 0
