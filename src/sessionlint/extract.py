"""Per-file extraction: one ``ast`` parse, one pass, a picklable ``FileFacts``.

Facts are everything resolution needs from a file (fixtures with scope and
value, tests and what they request, mutations of requested names, imports,
``pytest_plugins``) plus the diagnostics that need no other file.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from typing import Iterable

from sessionlint import collection, newsyntax, noqa, values
from sessionlint.context import FileContext, Function, FunctionNode
from sessionlint.modules import ModuleFinder
from sessionlint.model import FileFacts, FixtureDef, ImportedName, Span, TestDef
from sessionlint.mutations import find_mutations
from sessionlint.sources import SourceError, collector_paused, decode, parse, split_lines
from sessionlint.syntax import Walker, first_yield, from_import, strings, top_names

FIXTURE_DECORATORS = frozenset(
    {"pytest.fixture", "pytest.yield_fixture", "pytest_asyncio.fixture", "pytest_asyncio.plugin.fixture"}
)
KNOWN_SCOPES = frozenset({"function", "class", "module", "package", "session"})
_LONE_CR_RE = re.compile(r"\r(?!\n)")
# Names pytest passes that are never fixtures.
_NOT_FIXTURES = frozenset({"self", "cls"})


def _syntax_message(exc: SyntaxError, lines: list[str] = ()) -> str:
    msg = exc.msg or "invalid syntax"
    line = lines[exc.lineno - 1] if exc.lineno and 0 < exc.lineno <= len(lines) else (exc.text or "")
    needed = newsyntax.needed_version(line, msg)
    if needed:
        return f"cannot parse file: {msg}: syntax newer than this Python: it needs Python {needed}, sessionlint runs on {sys.version_info[0]}.{sys.version_info[1]}"
    newer = "" if sys.version_info >= (3, 14) else " (or syntax newer than this Python)"
    return f"cannot parse file: {msg}{newer}"


def extract(path: str, data: bytes, settings: object, modules: ModuleFinder | None = None) -> FileFacts:
    """Facts for one file. Never raises for bad input: that becomes SLK001.

    ``modules``: the run's ``ModuleFinder``, to tell the project's modules from libraries.
    """
    facts = FileFacts(path)
    try:
        source = decode(data)
    except SourceError as exc:
        facts.diagnostics.append(_parse_error(path, 1, 1, f"cannot read file: {exc}"))
        return facts
    return extract_text(path, source.text, settings, facts, modules)


def _parse_error(path: str, line: int, col: int, message: str):
    from sessionlint.model import Diagnostic

    return Diagnostic(path, max(line, 1), max(col, 1), "SLK001", message, max(line, 1), max(col, 1))


def extract_text(
    path: str, text: str, settings: object, facts: FileFacts | None = None, modules: ModuleFinder | None = None
) -> FileFacts:
    facts = facts or FileFacts(path)
    # A parsed tree has no reference cycles: reference counting frees it. The cyclic collector
    # would only re-traverse the whole tree again and again while the file is analysed (about a
    # quarter of extraction time), so it is paused for the file.
    with collector_paused():
        return _extract_text(path, text, settings, facts, modules)


def _extract_text(
    path: str, text: str, settings: object, facts: FileFacts, modules: ModuleFinder | None
) -> FileFacts:
    if "\r" in text:
        # A lone "\r" ends a line for Python (and keeps line numbers and columns), but not for
        # the rules' ``^``/``$`` line patterns: analyse old-Mac line endings as "\n".
        text = _LONE_CR_RE.sub("\n", text)
    lines = split_lines(text)
    try:
        tree = parse(text, path)
    except SyntaxError as exc:
        facts.diagnostics.append(_parse_error(path, exc.lineno or 1, exc.offset or 1, _syntax_message(exc, lines)))
        return facts
    except (ValueError, RecursionError, MemoryError) as exc:
        facts.diagnostics.append(_parse_error(path, 1, 1, f"cannot parse file: {type(exc).__name__}: {exc}"))
        return facts
    facts.noqa = noqa.parse(lines, text)
    ctx = FileContext(path, text, lines, tree, facts, settings, modules=modules)
    try:
        from sessionlint.rules import file_listeners, run_file_rules

        _Extractor(ctx).run(file_listeners(ctx))
        run_file_rules(ctx)
    except RecursionError:
        facts.diagnostics.append(_parse_error(path, 1, 1, "cannot analyse file: nesting too deep"))
    return facts


def build_context(path: str, text: str, settings: object) -> FileContext | None:
    """A FileContext with fixtures and tests found, for tests and fixers."""
    try:
        tree = parse(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    ctx = FileContext(path, text, split_lines(text), tree, FileFacts(path), settings)
    _Extractor(ctx).run()
    return ctx


def collects_tests(path: str, settings: object) -> bool:
    """Whether pytest would collect tests from ``path`` (its name matches ``python_files``)."""
    is_test_file = getattr(settings, "is_test_file", None)
    if is_test_file is None:
        return True
    return os.path.basename(path) != "conftest.py" and is_test_file(path)


class _Extractor:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.module_params: set[str] = set()
        # Only modules pytest collects (``python_files``) hold tests: an application module
        # passed explicitly (pre-commit, flake8) is read for context, never treated as tests.
        self.collects_tests = collects_tests(ctx.path, ctx.settings)
        # test class -> {"self.x": fixture}: ``self.x = fixture_value`` in an autouse class fixture
        self.self_aliases: dict[str, dict[str, str]] = {}
        self.requests: dict[str, set[str]] = {}  # test class ("" for module level) -> names its tests request

    def run(self, listeners: Iterable[object] = ()) -> None:
        """One walk over the file's statements feeds the extractor and the families' listeners."""
        ctx, tree = self.ctx, self.ctx.tree
        ctx.facts.top_names = top_names(tree)
        walker = Walker()
        walker.add(self)
        for listener in listeners:
            walker.add(listener)
        walker.walk(tree.body)
        self._module_imports(tree)
        for stmt in tree.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                self._module_assign(stmt)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ctx.module_functions[stmt.name] = stmt
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._function(stmt, None, set(self.module_params))
            elif isinstance(stmt, ast.ClassDef):
                self._class(stmt, None, set(self.module_params))
            elif isinstance(stmt, (ast.If, ast.Try)):
                # ``if sys.version_info ...:`` / ``try: import ...`` guarded definitions
                for inner in _direct_defs(stmt):
                    if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self._function(inner, None, set(self.module_params))
        for where, names in self.requests.items():
            ctx.facts.test_requests[where] = tuple(sorted(names - _NOT_FIXTURES))

    # module level -----------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        """Import aliases, wherever the statement is (a function's ``import x`` counts too)."""
        aliases = self.ctx.aliases
        for alias in node.names:
            if alias.asname:
                aliases[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                aliases[head] = head

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        aliases = self.ctx.aliases
        for alias in node.names:
            if alias.name != "*":
                aliases[alias.asname or alias.name] = from_import(node, alias.name)

    def _module_imports(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    self.ctx.facts.imports.append(
                        ImportedName(stmt.module or "", alias.name, alias.asname or alias.name, stmt.level)
                    )

    def _module_assign(self, stmt: ast.Assign | ast.AnnAssign) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if not isinstance(target, ast.Name) or stmt.value is None:
                continue
            self.ctx.module_globals[target.id] = stmt.value
            if target.id == "pytest_plugins":
                self.ctx.facts.pytest_plugins = tuple(strings(stmt.value))
            elif target.id == "pytestmark":
                self.module_params |= self._parametrized(_as_list(stmt.value))

    # classes and functions ----------------------------------------------------
    def _class(self, node: ast.ClassDef, outer: str | None, params: set[str]) -> None:
        name = f"{outer}.{node.name}" if outer else node.name
        params = params | self._parametrized(node.decorator_list)
        usefixtures = self._usefixtures(node.decorator_list)
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
            ):
                params |= self._parametrized(_as_list(stmt.value))
                usefixtures += self._usefixtures(_as_list(stmt.value))
        if usefixtures:
            self.ctx.facts.class_usefixtures[name] = usefixtures
        bound = self._self_bindings(node)
        if bound:
            self.self_aliases[name] = bound
        kind = collection.class_kind(self.ctx, node, name)  # python_classes, unittest of any name
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._function(stmt, name, params, class_kind=kind)
            elif isinstance(stmt, ast.ClassDef):
                self._class(stmt, name, params)

    def _function(self, node: FunctionNode, cls: str | None, params: set[str], class_kind: str | None = None) -> None:
        ctx = self.ctx
        fixture_dec = self._fixture_decorator(node)
        args = _arg_names(node)
        if fixture_dec is not None:
            fixture = self._fixture(node, cls, fixture_dec, args)
            ctx.functions.append(Function(node, cls, fixture=fixture))
            ctx.facts.fixtures.append(fixture)
        elif self.collects_tests and collection.is_test_function(ctx.settings, node.name, class_kind if cls else None):
            own_params = params | self._parametrized(node.decorator_list)
            requested = tuple(a for a in args if a not in own_params)
            usefixtures = self._usefixtures(node.decorator_list)
            test = TestDef(node.name, cls, ctx.def_span(node), requested, usefixtures=usefixtures)
            extra = {k: v for k, v in self.self_aliases.get(cls or "", {}).items() if v not in requested}
            test.mutations = find_mutations(ctx, node, set(requested), extra=extra)
            self.requests.setdefault(cls or "", set()).update(requested, usefixtures)
            ctx.functions.append(Function(node, cls, test=test))
            if test.mutations:  # only writes need resolving across files: keep the cache small
                ctx.facts.tests.append(test)
        else:
            ctx.functions.append(Function(node, cls))

    def _self_bindings(self, node: ast.ClassDef) -> dict[str, str]:
        """``self.x = value`` in an autouse fixture of the class: tests reach the fixture's value as ``self.x``."""
        found: dict[str, str] = {}
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            dec = self._fixture_decorator(stmt)
            if not (
                isinstance(dec, ast.Call)
                and any(k.arg == "autouse" and isinstance(k.value, ast.Constant) and k.value.value is True for k in dec.keywords)
            ):
                continue
            binder = _SelfBindings(set(_arg_names(stmt)) - _NOT_FIXTURES - {"request"}, found)
            walker = Walker()  # the fixture's statements only: a few per class
            walker.add(binder)
            walker.walk(stmt.body)
        return found

    def _fixture_decorator(self, node: FunctionNode) -> ast.expr | None:
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            qual = self.ctx.qualify(target)
            if qual in FIXTURE_DECORATORS or qual in ("fixture", "yield_fixture") and "fixture" not in self.ctx.module_functions:
                return dec
        return None

    def _fixture(self, node: FunctionNode, cls: str | None, dec: ast.expr, args: tuple[str, ...]) -> FixtureDef:
        ctx = self.ctx
        fixture = FixtureDef(node.name, node.name, cls, ctx.def_span(node), "function")
        fixture.is_async = isinstance(node, ast.AsyncFunctionDef)
        if isinstance(dec, ast.Call):
            for kw in dec.keywords:
                if kw.arg == "scope":
                    fixture.scope = self._scope(kw.value)
                elif kw.arg == "name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    fixture.name = kw.value.value
                    fixture.has_name_kwarg = True
                elif kw.arg == "autouse":
                    fixture.autouse = isinstance(kw.value, ast.Constant) and bool(kw.value.value)
                elif kw.arg == "params":
                    fixture.has_params = True
                    if _holds_mutable_literal(kw.value):
                        fixture.params_literal = "mutable"
            if dec.args:  # positional scope, pytest < 8
                first = dec.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    fixture.scope = self._scope(first)
        fixture.args = tuple(a for a in args if a not in _NOT_FIXTURES)
        fixture.arg_spans = _arg_spans(ctx, node, fixture.args)
        expr, fixture.is_yield = values.handed_out(node)
        fixture.value = values.classify(ctx, node, expr, fixture.args)
        yielded = first_yield(node) if fixture.is_yield else None
        yield_line = yielded.lineno if yielded is not None else None
        fixture.mutations = find_mutations(ctx, node, set(fixture.args) - {"request"}, yield_line)
        return fixture

    def _scope(self, value: ast.expr) -> str | None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value if value.value in KNOWN_SCOPES else None
        if isinstance(value, ast.Name):
            bound = self.ctx.module_globals.get(value.id)
            if isinstance(bound, ast.Constant) and bound.value in KNOWN_SCOPES:
                return bound.value
        return None  # a callable or anything computed: unknown, do not guess

    def _marks(self, decorators: list[ast.expr], mark: str):
        for dec in decorators:
            if isinstance(dec, ast.Call):
                qual = self.ctx.qualify(dec.func) or ""
                if qual.endswith(f"mark.{mark}"):
                    yield dec

    def _parametrized(self, decorators: list[ast.expr]) -> set[str]:
        names: set[str] = set()
        for dec in self._marks(decorators, "parametrize"):
            argnames = dec.args[0] if dec.args else next((k.value for k in dec.keywords if k.arg == "argnames"), None)
            indirect = next((k.value for k in dec.keywords if k.arg == "indirect"), None)
            if isinstance(indirect, ast.Constant) and indirect.value is True:
                continue
            found = list(strings(argnames)) if argnames is not None else []
            for item in found:
                names.update(n.strip() for n in item.split(",") if n.strip())
        return names

    def _usefixtures(self, decorators: list[ast.expr]) -> tuple[str, ...]:
        names: list[str] = []
        for dec in self._marks(decorators, "usefixtures"):
            for arg in dec.args:
                names.extend(strings(arg))
        return tuple(names)


class _SelfBindings:
    """Listener: ``self.x = arg`` statements, where ``arg`` is one of the fixture's parameters."""

    def __init__(self, args: set[str], found: dict[str, str]) -> None:
        self.args = args
        self.found = found

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        if not (isinstance(value, ast.Name) and value.id in self.args):
            return
        for target in node.targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                self.found[f"self.{target.attr}"] = value.id


def _direct_defs(stmt: ast.stmt) -> list[ast.stmt]:
    found: list[ast.stmt] = []
    for block in ("body", "orelse", "finalbody"):
        found.extend(getattr(stmt, block, []) or [])
    for handler in getattr(stmt, "handlers", []) or []:
        found.extend(handler.body)
    return found


def _arg_names(node: FunctionNode) -> tuple[str, ...]:
    args = node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    # parameters with defaults are not fixtures
    n_defaults = len(args.defaults)
    if n_defaults:
        positional = positional[:-n_defaults]
    kwonly = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]
    return tuple(positional + kwonly)


def _arg_spans(ctx: FileContext, node: FunctionNode, names: tuple[str, ...]) -> tuple[Span, ...]:
    """The span of each requested parameter's name (without its annotation), in ``names`` order."""
    found = {}
    for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
        col = ctx.col(arg.lineno, arg.col_offset)
        found.setdefault(arg.arg, Span(arg.lineno, col, arg.lineno, col + len(arg.arg)))
    return tuple(found[name] for name in names)


def _as_list(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else [node]


_MUTABLE_DISPLAYS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def _holds_mutable_literal(node: ast.expr) -> bool:
    """Whether a ``params=`` list holds a param value that is a mutable display.

    Only the values themselves count (``pytest.param(value, marks=[...])``
    contributes ``value``); a list passed to a constructor builds a new object.
    """
    if not isinstance(node, (ast.List, ast.Tuple)):
        return False
    for value in node.elts:
        if isinstance(value, ast.Call) and (
            isinstance(value.func, ast.Attribute) and value.func.attr == "param"
        ):
            candidates = list(value.args)
        else:
            candidates = [value]
        for candidate in candidates:
            if _mutable_display(candidate):
                return True
    return False


def _mutable_display(node: ast.expr) -> bool:
    if isinstance(node, _MUTABLE_DISPLAYS):
        return True
    if isinstance(node, ast.Tuple):
        return any(_mutable_display(e) for e in node.elts)
    return False
