"""The CLI's stdin mode: ``sessionlint - --stdin-filename PATH`` lints, fixes or diffs the source
on stdin (an editor's buffer) as the file it names, resolving fixtures from that file's directory.

Imported by ``cli._check`` only when the path is ``-``; it reports through the CLI's own helpers.
"""

from __future__ import annotations

import argparse
import os
import sys

from sessionlint.cli import _context, _internal_errors, _note, _report, _unified, _write
from sessionlint.config import Settings
from sessionlint.engine import MAX_FIX_PASSES, Engine, Result
from sessionlint.model import Diagnostic, FixOp
from sessionlint.reporters import REPORTERS, applied_fixes
from sessionlint.sources import Source, SourceError, decode, parse
from sessionlint.syntax import display_path


def check_stdin(args: argparse.Namespace, engine: Engine, settings: Settings) -> int:
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
    if args.stdin_filename and settings.excluded_path(name):
        if args.fix:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        elif not args.diff:
            _report(args, Result(), _context(args, settings.root, None, rename=rename))
        return 0
    if args.fix or args.diff:
        return _fix_stdin(args, engine, settings, name, data, source, rename)
    result = _lint_stdin(engine, name, source.text)
    ctx = _context(args, settings.root, result, sources={name: source.text}, rename=rename)
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
    ctx = _context(args, settings.root, result, sources={name: text}, rename=rename)
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
