"""SLK301 per file: scan each test and fixture, keep the writes left unrestored."""

from __future__ import annotations

import ast
import os
import re

from sessionlint import collection
from sessionlint.context import FileContext, Function, FunctionNode, any_within
from sessionlint.syntax import const_str
from sessionlint.rules.global_state.names import DECLARED, _FileNames
from sessionlint.rules.global_state.report import (
    _class_prefixes, _cleanup_ops, _diagnostic, _monkeypatch_ops, _wrap_op,
)  # fmt: skip
from sessionlint.rules.global_state.scan import _Scan
from sessionlint.rules.global_state.targets import SETTER_WORDS, BUILTIN_RESTORES, CALL_WRITES, CODE, CONTEXTMANAGER_DECORATORS, RESET_CALLS, STATE_OBJECTS, Target, XUNIT_SETUP_METHODS, XUNIT_TEARDOWN_FUNCTIONS, XUNIT_TEARDOWN_METHODS
from sessionlint.rules.global_state.verdicts import _checks, _Extra, _fragile, _Pending, _reassigned, _restored, _undoes_earlier

def check_file(ctx: FileContext) -> None:
    names = _FileNames(ctx)
    names.loggers = _module_loggers(ctx, names)
    module_teardown = _xunit_module_restores(ctx, names)
    class_teardown: dict[str, list[Target]] = {}
    pending: list[_Pending] = []
    restores: dict[str, tuple] = {}
    prefilter = _Prefilter(ctx, names)
    owners: list[tuple[Function, _Extra | None]] = [
        (fn, None) for fn in ctx.functions if fn.fixture is not None or fn.test is not None
    ]
    owners += _collection_owners(ctx, names, module_teardown)
    for fn, extra in owners:
        if not prefilter.writes(fn.node) and (fn.fixture is None or not prefilter.restores(fn.node)):
            continue  # nothing in it can write (or, for a fixture, restore) global state
        scan = _Scan(names, fn.node, cls=fn.cls).run()
        if fn.fixture is not None:
            restores[fn.qualname] = _fixture_restores(scan, fn)
        sessionwide = fn.fixture is not None and fn.fixture.autouse and fn.fixture.scope == "session"
        if _forked(ctx, fn) or (sessionwide and not _subdir_conftest(ctx)):
            continue  # a child process; or session-wide setup that every test it applies to sees
        scope_restores = list(scan.decorator_targets(fn.node.decorator_list))
        for node in names.class_chain(fn.cls):
            scope_restores += scan.decorator_targets(node.decorator_list)
        if extra is not None:
            scope_restores += extra.restores
        if fn.test is not None:
            scope_restores += module_teardown
            if fn.cls:
                if fn.cls not in class_teardown:
                    class_teardown[fn.cls] = _xunit_class_restores(names, fn.cls)
                scope_restores += class_teardown[fn.cls]
        for param in scan.params:
            scope_restores += BUILTIN_RESTORES.get(param, ())
        reassigned = _reassigned(scan.events)
        leaks = [
            e for e in scan.events
            if e.write and not e.after_yield and not e.in_finally and not (e.restoring and not e.deletes)
            and e.target not in reassigned
            and not _restored(e, scan.events, scope_restores) and not _undoes_earlier(e, scan.events)
            # a setup rebinding its own module's global (``global _saved; _saved = ...``) is the same
            # for every test that sees it, whatever the order
            and not (extra is not None and extra.kind == "setup" and e.target[0] == "global")
        ]  # fmt: skip
        if fn.test is not None and any(e.write and e.restoring for e in scan.events):
            leaks += _fragile_restores(fn.node, scan.events, leaks, scope_restores)
        if not leaks:
            continue
        wrap_op = _wrap_op(ctx, fn, scan, leaks)
        mp_ops = _monkeypatch_ops(ctx, fn, scan, leaks, names) if extra is None else {}
        cleanup_ops = _cleanup_ops(ctx, fn, scan, leaks, names, extra)
        asserts: list | None = None

        def checks() -> list:
            nonlocal asserts
            if asserts is None:
                asserts = _checks(fn.node)
            return asserts

        for event in leaks:
            diagnostic = _diagnostic(ctx, fn, event, wrap_op, mp_ops, extra, cleanup_ops)
            owner = "test" if fn.test is not None else "fixture" if extra is None else extra.kind
            requests = _requests(ctx, fn) if extra is None else ()
            helpers = tuple(dict.fromkeys(
                [e.target[1] for e in scan.events if e.target[0] == "call" and (e.anywhere or e.pos > event.pos)]
                + [t[1] for t in scope_restores if t[0] == "call"]
            ))  # fmt: skip
            naming = (*event.naming, event.what) if event.naming else ()
            late = tuple(dict.fromkeys(
                e.target[1] for e in scan.events
                if e.target[0] == "plaincall" and e.pos > event.pos and any(event.pos < c < e.pos for c in checks())
            )) if fn.test is not None and not event.fragile else ()  # fmt: skip
            pending.append(_Pending(diagnostic, owner, fn.qualname, fn.cls, event.target, requests, sessionwide,
                                    helpers, event.reset, naming, late))  # fmt: skip
    summary = _module_summary(ctx, names, prefilter)
    if pending or restores or summary:
        rule_data = _rule_data(ctx)
        if rule_data is not None:
            rule_data[CODE] = {"pending": pending, "restores": restores, **summary}
        else:  # no place for cross-file facts: report what this file shows
            for item in pending:
                ctx.facts.diagnostics.append(item.diagnostic)


def _module_summary(ctx: FileContext, names: _FileNames, prefilter: "_Prefilter") -> dict:
    """What callers in other files need of a module that is not a test module: what each module-level
    function writes (a helper called in ``finally``/teardown restores it), the fresh values its globals
    start from, and what its top-level names are (a function, a class, a ``threading.local``, an instance)."""
    if collection_is_test_module(ctx):
        return {}
    functions: dict[str, tuple] = {}
    for name, node in ctx.module_functions.items():
        if name == node.name and prefilter.writes(node):
            scan = _Scan(names, node, depth=1, summary=True).run()
            targets = tuple(dict.fromkeys(e.target for e in scan.events if e.target[0] != "call"))
            if targets:
                functions[name] = targets
    found: dict = {}
    if functions:
        found["functions"] = functions
    if names.initial():
        found["initial"] = dict(names.initial())
    kinds = _top_kinds(ctx)
    if kinds:
        found["kinds"] = kinds
    declared = ctx.collected.get(DECLARED)
    if declared:
        found["declared"] = frozenset(declared)  # type: ignore[arg-type]
    return found


def collection_is_test_module(ctx: FileContext) -> bool:
    base = os.path.basename(ctx.path)
    return base != "conftest.py" and bool(getattr(ctx.settings, "is_test_file", lambda p: False)(ctx.path))


def _top_kinds(ctx: FileContext) -> dict[str, str]:
    """Top-level names that are not plain module attributes: name -> "function", "class", "local"
    (a ``threading.local``) or "instance:<Class>" (bound to a call of a class)."""
    found: dict[str, str] = {}
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[stmt.name] = "function"
        elif isinstance(stmt, ast.ClassDef):
            found[stmt.name] = "class"
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            qual = ctx.qualify(stmt.value.func) or ""
            last = qual.rsplit(".", 1)[-1]
            if qual in ("threading.local", "_threading_local.local"):
                kind = "local"
            elif last[:1].isupper() and not last.isupper():
                kind = f"instance:{last}"
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = kind
    return found


def _subdir_conftest(ctx: FileContext) -> bool:
    """A conftest.py: its session-autouse fixtures start with the first test of its directory (the
    project step keeps them only when linted tests lie outside that directory)."""
    return os.path.basename(ctx.path) == "conftest.py"


def _collection_owners(ctx: FileContext, names: _FileNames, module_teardown: list[Target]) -> list:
    """xunit/unittest setups, class and module bodies of test modules, ``@contextmanager`` helpers."""
    found: list[tuple[Function, _Extra]] = []
    base = os.path.basename(ctx.path)
    is_test_module = base != "conftest.py" and bool(getattr(ctx.settings, "is_test_file", lambda p: False)(ctx.path))
    if is_test_module:
        for setup in collection.module_setups(ctx):
            found.append((Function(setup.node, None), _Extra("setup", f"{setup.name}()", setup.scope, module_teardown)))
        body = collection.body_function(ctx.tree.body, "<module>", ctx.tree)
        if body is not None:
            found.append((Function(body, None), _Extra("body", "module body", "", [])))
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.ClassDef):
                body = collection.body_function(stmt.body, f"<class {stmt.name}>", stmt)
                if body is not None:
                    found.append((Function(body, None), _Extra("body", f"class body of '{stmt.name}'", "", [])))
        for cls, node in collection.test_classes(ctx):
            teardown = list(module_teardown)
            for chain in names.class_chain(cls):
                for fn in collection.class_teardowns(chain):
                    teardown += _targets_written(names, fn, cls)
            for setup in collection.class_setups(ctx, node, cls):
                found.append((Function(setup.node, cls), _Extra("setup", f"{setup.name}()", setup.scope, teardown)))
    if base != "conftest.py":
        for name, fn in ctx.module_functions.items():
            if name == fn.name and any(
                (ctx.qualify(d.func if isinstance(d, ast.Call) else d) or "") in CONTEXTMANAGER_DECORATORS
                for d in fn.decorator_list
            ):
                found.append((Function(fn, None), _Extra("helper", f"context manager '{name}'", "", [])))
    return found


# Plain substrings (found with str.find: far faster than one big alternation) that mark a line
# that may write global state; over-matching only costs a scan.
_WRITE_WORDS = (
    "environ", "putenv", "unsetenv", "chdir", "umask", "global ", "setattr", "delattr", "rcParams", ".rc(",
    ".use(", "setlocale", "setdefaulttimeout", ".disable(", "setLevel", "importorskip", "import_module",
    "getLogger", ".handlers", *SETTER_WORDS,
)  # fmt: skip
_SYS_RE = re.compile(r"sys\s*\.\s*(?:path|modules|argv)\b")
# A line ``name.attr = ...`` (name checked against the imports), or a ``del`` statement. The match
# starts at the newline before the line: a literal the engine jumps to (``^`` with MULTILINE is
# tried at every character); the first line of a file is never inside a function.
_WRITE_RE = re.compile(
    r"\n[ \t]*(?:(?P<name>[A-Za-z_]\w*)[ \t]*\.[\w. \t]+(?:[-+*/|&^%@]|//|\*\*|<<|>>)?=(?!=)"
    r"|del\b(?P<dels>[^\n]*))"
)
_DEL_NAMES_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\.")
_RESTORE_RE = re.compile(
    r"monkeypatch|MonkeyPatch|\bmp\b|patch|\bwith\b|addfinalizer|addCleanup|callback|undo|restore|pytester|testdir"
)


class _Prefilter:
    """Which functions can write (or, for fixtures, restore) global state at all, judged from the
    file's text with one pass of a compiled expression: the others are not scanned."""

    def __init__(self, ctx: FileContext, names: _FileNames) -> None:
        self.ctx = ctx
        self.text = text = ctx.text
        bound = set(names.aliases)
        hits: list[int] = []
        for word in _WRITE_WORDS:
            index = text.find(word)
            while index >= 0:
                hits.append(index)
                index = text.find(word, index + 1)
        hits += [m.start() for m in _SYS_RE.finditer(text)]
        for match in _WRITE_RE.finditer(text):
            name, dels = match.group("name"), match.group("dels")
            if (name is not None and name in bound) or (
                dels is not None and any(n in bound for n in _DEL_NAMES_RE.findall(dels))
            ):
                hits.append(match.start() + 1)
        words = [re.escape(e.rsplit(".", 1)[-1]) for e in names.extras]
        if names.warnings:
            words += ["simplefilter", "filterwarnings", "filters"]
        # ``from os import chdir`` / ``from os import environ``: the bare names write too
        words += [
            rf"\b{re.escape(n)}\b"
            for n, q in names.aliases.items()
            if q in CALL_WRITES or q in RESET_CALLS or q in STATE_OBJECTS
        ]
        if words:
            hits += [m.start() for m in re.finditer("|".join(words), text)]
        self.hits = sorted(hits)

    def _range(self, node: FunctionNode) -> tuple[int, int]:
        return self.ctx.text_range(node.lineno, node.end_lineno or node.lineno)

    def writes(self, node: FunctionNode) -> bool:
        return any_within(self.hits, *self._range(node))

    def restores(self, node: FunctionNode) -> bool:
        start, end = self._range(node)
        return _RESTORE_RE.search(self.text, start, end) is not None


def _fragile_restores(node: FunctionNode, events: list, leaks: list, scope_restores: list[Target]) -> list:
    checks = _checks(node)
    found = [e for e in events if e not in leaks and checks and _fragile(e, events, scope_restores, checks)]
    for event in found:
        event.fragile = True
    return found


def _requests(ctx: FileContext, fn: Function) -> tuple[str, ...]:
    if fn.fixture is not None:
        return tuple(fn.fixture.args)
    assert fn.test is not None
    names = list(fn.test.args) + list(fn.test.usefixtures)
    if fn.cls:
        for prefix in _class_prefixes(fn.cls):
            names += list(ctx.facts.class_usefixtures.get(prefix, ()))
    return tuple(dict.fromkeys(names))


def _rule_data(ctx: FileContext) -> dict | None:
    return ctx.facts.rule_data


def _forked(ctx: FileContext, fn: Function) -> bool:
    for dec in fn.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if (ctx.qualify(target) or "").endswith("mark.forked"):
            return True
    return False


def _module_loggers(ctx: FileContext, names: _FileNames) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = stmt.value
            if isinstance(value, ast.Call) and ctx.qualify(value.func) == "logging.getLogger":
                arg = value.args[0] if value.args else None
                if arg is None or (isinstance(arg, ast.Constant) and arg.value in (None, "", "root")):
                    found[stmt.targets[0].id] = ""
                else:
                    found[stmt.targets[0].id] = const_str(arg)
            elif ctx.qualify(value) == "logging.root":
                found[stmt.targets[0].id] = ""
    return found


def _targets_written(names: _FileNames, fn: FunctionNode, cls: str | None = None) -> list[Target]:
    scan = _Scan(names, fn, depth=1, cls=cls).run()
    return [e.target for e in scan.events]


def _xunit_module_restores(ctx: FileContext, names: _FileNames) -> list[Target]:
    found: list[Target] = []
    for name, fn in ctx.module_functions.items():
        if name in XUNIT_TEARDOWN_FUNCTIONS:
            found += _targets_written(names, fn)
    return found


def _xunit_class_restores(names: _FileNames, cls: str) -> list[Target]:
    found: list[Target] = []
    for node in names.class_chain(cls):
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if stmt.name in XUNIT_TEARDOWN_METHODS:
                found += _targets_written(names, stmt, cls)
            elif stmt.name in XUNIT_SETUP_METHODS:
                # setUp registering the undo: self.addCleanup(setattr, mod, "X", mod.X), enter_context(...)
                found += [e.target for e in _Scan(names, stmt, depth=1, cls=cls).run().events if not e.write]
    return found


def _fixture_restores(scan: _Scan, fn: Function) -> tuple:
    """What a fixture's teardown (or its monkeypatch/mocker calls) puts back for the tests that use it."""
    found: list[Target] = list(scan.teardown_protect)
    for event in scan.events:
        if event.after_yield or event.anywhere or event.before:
            found.append(event.target)
    for param in scan.params:
        found += BUILTIN_RESTORES.get(param, ())
    return tuple(dict.fromkeys(found))
