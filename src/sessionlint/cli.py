"""The command line: ``sessionlint [PATHS]``, ``--fix``, ``sessionlint rule CODE``.

Exit codes: 0 nothing reported, 1 diagnostics remain or files were rewritten,
2 usage, configuration or internal error (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import os
import sys
from dataclasses import fields, replace
from typing import Sequence

from sessionlint import __version__, config
from sessionlint.config import ConfigError, Settings
from sessionlint.discovery import DiscoveryError, discover
from sessionlint.cache import Cache, analysis_digest
from sessionlint.engine import Engine, FixResult, Result
from sessionlint.model import Diagnostic
from sessionlint.reporters import (
    REPORTERS,
    ReportContext,
    applied_fixes,
    available_fixes,
    display_path,
    statistics,
    statistics_text,
    summary,
)
from sessionlint.rootdir import find_rootdir
from sessionlint.sources import SourceError, read, write_atomic

HUMAN_FORMATS = ("text", "grouped")  # --show-fixes and the summary go to stdout only with these
STATISTICS_FORMATS = ("text", "json")  # as ruff: --statistics has no grouped, github or sarif form


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
    output.add_argument(
        "-q", "--quiet", action="store_true", help="print diagnostics only: no summary, no notes on stderr"
    )
    settings = parser.add_argument_group("configuration")
    settings.add_argument(
        "--config", metavar="FILE", help="read options from FILE for every file, instead of the nearest configuration"
    )
    settings.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    settings.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    settings.add_argument("--cache-dir", help="cache directory (default: .sessionlint_cache at the project root)")
    settings.add_argument(
        "--show-settings", metavar="FILE", help="print the settings governing FILE and where they come from"
    )
    settings.add_argument(
        "--show-files", action="store_true", help="list the files that would be linted, with their configuration"
    )
    settings.add_argument("-j", "--jobs", type=_positive, help="worker processes (default: number of cores)")
    stdin = parser.add_argument_group("editors")
    stdin.add_argument("--stdin-filename", metavar="PATH", help="the file name of the source read from stdin (-)")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation (as `sessionlint rule CODE`)")
    parser.add_argument("--version", action="version", version=f"sessionlint {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        gc.unfreeze()  # the facts frozen by the run's caches (Cache.freeze), when main is called in-process


def _main(argv: Sequence[str] | None) -> int:
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
def _selectors(args: argparse.Namespace) -> None:
    """Flatten the repeated --select/--ignore flags; an unknown selector is a usage error."""
    for option in ("select", "ignore", "extend_select", "extend_ignore"):
        codes = tuple(code for group in getattr(args, option) or () for code in group)
        for code in codes:
            if not config.matches_a_rule(code):
                raise UsageError(
                    f"--{option.replace('_', '-')}: unknown rule selector {code!r} (see `sessionlint rule --all`)"
                )
        setattr(args, option, codes if getattr(args, option) is not None else None)


def _override(args: argparse.Namespace, settings: Settings) -> Settings:
    """The command line's selection on top of one configuration's settings."""
    changes: dict = {}
    if args.select is not None:
        changes["select"] = args.select
        changes["extend_select"] = ()  # --select on the command line replaces the configured selection
    if args.ignore is not None or args.extend_ignore is not None:
        changes["ignore"] = settings.ignore + (args.ignore or ()) + (args.extend_ignore or ())
    if args.extend_select is not None:
        changes["extend_select"] = changes.get("extend_select", settings.extend_select) + args.extend_select
    return replace(settings, **changes)


class _Plan:
    """The settings of one run: each file is governed by its nearest configuration (as in ruff),
    unless --config or --isolated gives one for all. Files are linted in groups that share
    their settings, one Engine per group, and the results merged."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        _selectors(args)
        paths = [p for p in args.paths if p != "-"] or [args.stdin_filename or "."]
        existing = [p for p in paths if os.path.exists(p)] or ["."]  # a missing path is reported by discovery
        self.rootdir = find_rootdir(existing)
        fixed = config.resolve(existing[0], args.config, args.isolated) if args.config or args.isolated else None
        # each directory's settings carry its pytest rootdir (a sub-directory with its own pytest
        # configuration is the rootdir of its tests), except under --isolated
        self.resolver = config.Resolver(self.rootdir, fixed, rootdirs=not args.isolated)
        self._settings: dict[Settings, Settings] = {}
        self.extra: dict[Settings, dict] = {}
        self._engines: dict[Settings, Engine] = {}
        self._caches: dict[tuple[str | None, str], Cache] = {}  # (cache directory, analysis digest)
        self.groups: dict[Settings, list[str]] = {}
        self.files: list[str] | None = None  # what ``discover`` found

    def settings(self, path: str) -> Settings:
        """The settings governing ``path`` (a file, or a directory's entries), with the CLI's selection."""
        directory = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        base, extra = self.resolver(directory)
        found = self._settings.get(base)
        if found is None:
            found = self._settings[base] = _override(self.args, base)
            self.extra[found] = extra
        return found

    def warnings(self) -> list[str]:
        return list(dict.fromkeys(w for s in self._settings.values() for w in s.warnings))

    def discover(self) -> list[str]:
        """The files to lint, each collected or excluded by the settings governing its directory;
        groups them by those settings, in a stable order (configuration file, root)."""
        files = discover(self.args.paths, self.settings(self.args.paths[0]), settings_for=self.settings)
        groups: dict[Settings, list[str]] = {}
        for path in files:
            groups.setdefault(self.settings(path), []).append(path)
        self.groups = dict(sorted(groups.items(), key=lambda item: (item[0].config_file, item[0].root)))
        self.files = files
        return files

    @property
    def single(self) -> bool:
        """One configuration for every directory walked: the engine discovers and lints as before."""
        return len(self._settings) <= 1

    def engine(self, settings: Settings) -> Engine:
        if settings not in self._engines:
            self._engines[settings] = _engine(
                self.args, settings, self.extra.get(settings, {}), settings.rootdir or self.rootdir, self._caches
            )
        return self._engines[settings]

    def first(self) -> Settings:
        return next(iter(self.groups), None) or self.settings(self.args.paths[0])

    def root(self) -> str:
        """The project root for reports (SARIF paths): the configuration's, or pytest's rootdir."""
        return self.first().root if self.single else self.rootdir

    def lint(self) -> Result:
        if self.single:  # the files discovered already: one walk per run
            return self.engine(self.first()).lint(self.args.paths, files=self.files)
        merged = Result()
        mine = {path: settings for settings, files in self.groups.items() for path in files}
        diagnostics: set[Diagnostic] = set()
        # modules linted for the fixtures or helpers they provide: path -> group -> findings
        provided: dict[str, dict[Settings, list[Diagnostic]]] = {}
        for settings, files in self.groups.items():
            result = self.engine(settings).lint(self.args.paths, files=files)
            for d in result.diagnostics:
                owner = mine.get(d.path)
                if owner is None:
                    provided.setdefault(d.path, {}).setdefault(settings, []).append(d)
                elif owner == settings:  # a finding on a file of another group is that group's to report
                    diagnostics.add(d)
            merged.errors.extend(result.errors)
            merged.files += result.files
            merged.extracted += result.extracted
        for path, by_group in provided.items():
            # the group governing the module's directory reports it; when only other groups' tests
            # use it, the first of them does, filtered by the governing selection
            governing = self.settings(path)
            if governing in by_group:
                diagnostics.update(by_group[governing])
                continue
            first = next(iter(by_group.values()))
            diagnostics.update(
                d for d in first if governing.enabled(d.code) and not governing.ignored_in(d.path, d.code)
            )
        merged.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        return merged

    def fix(self, unsafe: bool, write=None) -> tuple[FixResult, bool]:
        """Fix every group; with ``write`` (--fix), each group's fixes are written before the next
        group is fixed, so that fixes across groups build on each other. Returns the merged
        outcome and whether ``write`` rewrote (or failed to rewrite) a file."""
        if self.single:
            outcome = self.engine(self.first()).fix(self.args.paths, unsafe=unsafe)
            return outcome, bool(write and write(outcome))
        merged = FixResult(Result())
        changed = False
        for settings, files in self.groups.items():
            outcome = self.engine(settings).fix(files, unsafe=unsafe)
            merged.applied += outcome.applied
            merged.fixed.extend(outcome.fixed)
            merged.failures.extend(outcome.failures)
            merged.result.errors.extend(outcome.result.errors)
            if write is not None:
                changed = write(outcome) or changed
                continue
            for path, text in outcome.texts.items():
                if path in merged.texts and merged.texts[path] != text:
                    merged.failures.append(
                        f"{display_path(path)}: fixed under two configurations; the diff shows the first "
                        "(--fix applies both)"
                    )
                    continue
                merged.texts[path] = text
        errors = merged.result.errors
        if write is not None:
            merged.result = self.lint()  # what remains, on the rewritten files
            merged.result.errors[:0] = [e for e in errors if e not in merged.result.errors]
        else:
            remaining = self.lint()
            merged.result.diagnostics, merged.result.files = remaining.diagnostics, remaining.files
            merged.result.errors.extend(e for e in remaining.errors if e not in errors)
        return merged, changed


def _engine(
    args: argparse.Namespace,
    settings: Settings,
    extra: dict,
    rootdir: str | None = None,
    caches: dict[tuple[str | None, str], Cache] | None = None,
) -> Engine:
    """The engine of one group of files; with ``caches``, groups whose settings analyse files alike
    (the same analysis digest and cache directory) share one cache."""
    jobs = args.jobs or extra.get("jobs") or os.cpu_count() or 1
    cache_dir = None
    if not args.no_cache:
        cache_dir = args.cache_dir or extra.get("cache_dir") or os.path.join(settings.root, ".sessionlint_cache")
        if not os.path.isabs(cache_dir):
            cache_dir = os.path.join(settings.root, cache_dir)
    cache = None
    if caches is not None:
        key = (cache_dir, analysis_digest(settings))
        cache = caches.get(key)
        if cache is None:
            cache = caches[key] = Cache(cache_dir, settings)
            cache.freeze = True  # the command line's process ends with the run
    return Engine(settings, jobs=jobs, cache_dir=cache_dir, rootdir=rootdir, cache=cache)


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


def _context(args: argparse.Namespace, root: str, result: Result | None, **kwargs) -> ReportContext:
    return ReportContext(
        root=root,
        files=result.files if result is not None else 0,
        color=_color(args),
        unsafe_fixes=args.unsafe_fixes,
        **kwargs,
    )


# --show-settings, --show-files -------------------------------------------------------------------
def _show_settings(args: argparse.Namespace, plan: _Plan) -> int:
    """The settings governing one file, and the configuration file they come from (stable order)."""
    path = os.path.abspath(args.show_settings)
    if not os.path.lexists(path):
        raise UsageError(f"--show-settings: {args.show_settings}: no such file or directory")
    settings = plan.settings(path)
    extra = plan.extra.get(settings, {})
    lines = [
        f"Resolved settings for: {path}",
        f"Settings path: {settings.config_file or '(none: the defaults)'}",
        "",
    ]
    for item in fields(Settings):
        if item.name in ("warnings", "config_file"):
            continue
        value = getattr(settings, item.name)
        if item.name in ("per_file_ignores", "extra_resources"):
            value = {key: list(v) if isinstance(v, tuple) else v for key, v in value}
        elif isinstance(value, tuple):
            value = list(value)
        lines.append(f"{item.name.replace('_', '-')} = {json.dumps(value)}")
    lines.append(f"test-file = {json.dumps(settings.is_test_file(path) or os.path.isdir(path))}")
    lines.append(f"excluded = {json.dumps(settings.excluded_path(path))}")
    for key in ("cache_dir", "jobs"):
        if key in extra:
            lines.append(f"{key.replace('_', '-')} = {json.dumps(extra[key])}")
    _write(args, "\n".join(lines) + "\n")
    return 0


def _show_files(args: argparse.Namespace, plan: _Plan) -> int:
    """The files that would be linted, sorted, each with the configuration file governing it."""
    lines = []
    for path in sorted(plan.discover()):
        governing = plan.settings(path).config_file
        lines.append(f"{display_path(path)}  ({display_path(governing) if governing else 'default settings'})")
    _write(args, "".join(line + "\n" for line in lines))
    return 0


# linting and fixing files ------------------------------------------------------------------------
def _check(args: argparse.Namespace) -> int:
    if args.statistics and args.format not in STATISTICS_FORMATS:
        raise UsageError(
            f"--statistics supports --format {' or '.join(STATISTICS_FORMATS)}, not {args.format}"
        )
    plan = _Plan(args)
    if args.show_settings:
        return _show_settings(args, plan)
    if "-" in args.paths:
        if args.paths != ["-"]:
            raise UsageError("- (stdin) cannot be combined with other paths")
        settings = plan.settings(args.stdin_filename or os.path.join(os.getcwd(), "-"))
        for warning in plan.warnings():
            _note(args, f"sessionlint: warning: {warning}")
        from sessionlint.stdin import check_stdin  # the stdin mode's flow, apart

        return check_stdin(args, plan.engine(settings), settings)
    if args.stdin_filename:
        raise UsageError("--stdin-filename needs - (stdin) as the path")
    if args.show_files:
        return _show_files(args, plan)
    plan.discover()
    for warning in plan.warnings():
        _note(args, f"sessionlint: warning: {warning}")
    if args.diff:
        outcome, _ = plan.fix(args.unsafe_fixes)
        for failure in outcome.failures:
            _note(args, f"sessionlint: {failure}")
        diff = _diff(outcome)
        _write(args, diff)
        if args.show_fixes:
            _note(args, applied_fixes(outcome.fixed, _context(args, plan.root(), outcome.result), dry_run=True).rstrip())
        return _internal_errors(outcome.result.errors, 1 if diff else 0)
    status = 0
    fixed: list[Diagnostic] | None = None
    texts: dict[str, str] = {}
    if args.fix:
        outcome, changed = plan.fix(args.unsafe_fixes, write=lambda outcome: _write_fixes(args, outcome))
        for failure in outcome.failures:
            _note(args, f"sessionlint: {failure}")
        if changed and args.exit_non_zero_on_fix:
            status = 1
        result, fixed, texts = outcome.result, outcome.fixed, outcome.texts
    else:
        result = plan.lint()
    # what remains after --fix was found in the fixed texts: edits are computed against them
    ctx = _context(args, plan.root(), result, sources=dict(texts))
    _report(args, result, ctx, fixed)
    if result.diagnostics and not args.exit_zero:
        status = 1
    return _internal_errors(result.errors, status)


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
    if args.format in HUMAN_FORMATS and not args.statistics and not args.quiet:
        # ruff's closing lines, after the report on stdout; machine formats stay pure
        out += ("\n" if args.show_fixes else "") + summary(diagnostics, ctx, fixed=len(fixed or ()))
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
