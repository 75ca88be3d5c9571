"""What pytest collects and runs in a file, beyond fixtures and ``test_*`` functions.

- Test classes: those ``python_classes`` matches (without ``__init__``, without
  ``__test__ = False``) and every ``unittest.TestCase`` subclass whatever its
  name, including subclasses of first-party base classes defined in other
  files. Per file, each class's bases are recorded qualified through the
  imports (``FileFacts.rule_data[KEY]``); a class whose base is imported and
  not known is "maybe" a TestCase, and ``collected`` settles it across files
  through ``Project.find_module``.
- Test functions and methods: ``python_functions`` (``test*`` in unittest classes).
- xunit and unittest setups: ``setup_module``/``setUpModule``/nose ``setup``,
  ``setup_function``, ``setup_class``/``setUpClass``, ``setup_method``/``setUp``,
  and the teardowns (with ``teardown_module = other_function`` aliases) that
  undo them.
- Class-shared values: ``cls.x = []`` in a class-level setup is one object for
  every test of the class; a test writing into ``self.x`` is SLK201.

Everything here reads one file's ``ast`` (plus, in ``collected``, the facts
of the files that define base classes): no libcst.
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from sessionlint.config import DEFAULT_PYTHON_CLASSES, DEFAULT_PYTHON_FUNCTIONS
from sessionlint.mutations import CONTAINER_METHODS, MUTATING_FUNCTIONS, VALUE_RETURNING_METHODS
from sessionlint.syntax import iter_nodes, short

if TYPE_CHECKING:
    from sessionlint.context import FileContext, FunctionNode
    from sessionlint.index import Project
    from sessionlint.model import FileFacts

KEY = "collect"  # FileFacts.rule_data key: {"bases": {class: (qualified base, ...)}, "kinds": {class: kind}}

# kinds of a class
TEST = "test"  # python_classes matches
UNITTEST = "unittest"  # a unittest.TestCase subclass
MAYBE = "maybe"  # derives from an imported class that may be a TestCase (settled across files)
NOT = "no"

UNITTEST_BASES = frozenset(
    {
        "unittest.TestCase", "unittest.IsolatedAsyncioTestCase", "unittest.case.TestCase",
        "unittest.async_case.IsolatedAsyncioTestCase", "twisted.trial.unittest.TestCase",
        "twisted.trial.unittest.SynchronousTestCase", "asynctest.TestCase", "aiounittest.AsyncTestCase",
    }
)  # fmt: skip
# modules whose classes are never first-party TestCase bases: no need to look them up
_NOT_FIRST_PARTY = frozenset({"builtins", "abc", "typing", "enum", "collections", "dataclasses", "object"})

MODULE_SETUPS = ("setup_module", "setUpModule", "setup")  # module scope
MODULE_TEARDOWNS = ("teardown_module", "tearDownModule", "teardown")
FUNCTION_SETUPS = ("setup_function",)
FUNCTION_TEARDOWNS = ("teardown_function",)
CLASS_SETUPS = ("setup_class", "setUpClass")
CLASS_TEARDOWNS = ("teardown_class", "tearDownClass")
METHOD_SETUPS = ("setup_method", "setUp", "asyncSetUp", "setup")
METHOD_TEARDOWNS = ("teardown_method", "tearDown", "asyncTearDown", "teardown")


def name_matches(name: str, patterns: tuple[str, ...]) -> bool:
    """pytest's ``python_classes``/``python_functions`` test: a prefix, or a glob when it has one."""
    for pattern in patterns:
        if name.startswith(pattern):
            return True
        if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(name, pattern):
            return True
    return False


def provides_test_code(facts: FileFacts) -> bool:
    """Whether a module tests import runs test code worth linting: fixtures, or helpers (``@contextmanager``
    functions) with findings of their own."""
    if facts.fixtures:
        return True
    data = facts.rule_data.get("SLK301")
    return isinstance(data, dict) and any(item.owner == "helper" for item in data.get("pending", ()))


def is_test_function(settings: object, name: str, class_kind: str | None = None) -> bool:
    """Whether pytest collects a function (module level, ``class_kind`` None) or a method as a test."""
    if class_kind in (UNITTEST, MAYBE):
        return name.startswith("test")  # unittest's loader, whatever python_functions says
    if class_kind == NOT:
        return False
    return name_matches(name, tuple(getattr(settings, "python_functions", DEFAULT_PYTHON_FUNCTIONS)))


# classes of one file --------------------------------------------------------------------------
def _data(ctx: FileContext) -> dict:
    data = ctx.facts.rule_data.setdefault(KEY, {"bases": {}, "kinds": {}})
    return data  # type: ignore[return-value]


def _body_flag(node: ast.ClassDef, name: str) -> ast.expr | None:
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return stmt.value
    return None


def _defines(node: ast.ClassDef, name: str) -> bool:
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == name for s in node.body)


def class_kind(ctx: FileContext, node: ast.ClassDef, name: str) -> str:
    """How pytest treats the class ``name`` (dotted for nested classes); recorded in the file's facts."""
    data = _data(ctx)
    local_names = set(data["kinds"])
    bases = []
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in local_names:
            bases.append(base.id)
        else:
            bases.append(ctx.qualify(base) or "")
    data["bases"][name] = tuple(bases)
    kind = _kind(ctx, node, tuple(bases), data["kinds"])
    data["kinds"][name] = kind
    return kind


def _kind(ctx: FileContext, node: ast.ClassDef, bases: tuple[str, ...], local: dict[str, str]) -> str:
    flag = _body_flag(node, "__test__")
    if isinstance(flag, ast.Constant) and not flag.value:
        return NOT
    maybe = False
    for base in bases:
        if base in local:
            if local[base] == UNITTEST:
                return UNITTEST
            maybe = maybe or local[base] == MAYBE
        elif _is_unittest_name(base):
            return UNITTEST
        elif base and _imported(ctx, base):
            maybe = True
    patterns = tuple(getattr(ctx.settings, "python_classes", DEFAULT_PYTHON_CLASSES))
    if name_matches(node.name, patterns) and not _defines(node, "__init__"):
        return TEST
    return MAYBE if maybe else NOT


def _is_unittest_name(qualified: str) -> bool:
    if qualified in UNITTEST_BASES or qualified.startswith("django.test."):
        return True
    return qualified.rsplit(".", 1)[-1].endswith("TestCase")


def _imported(ctx: FileContext, qualified: str) -> bool:
    head = qualified.lstrip(".").split(".")[0]
    if head in _NOT_FIRST_PARTY:
        return False
    return qualified.startswith(".") or any(
        v == qualified or qualified.startswith(v + ".") or v.startswith(".") and qualified.startswith(v)
        for v in ctx.aliases.values()
    )


def collected(project: Project, path: str, cls: str | None, _depth: int = 0) -> bool:
    """Whether the tests found in class ``cls`` of ``path`` are collected (a "maybe" class is settled here)."""
    if not cls:
        return True
    facts = project.get(path)
    data = facts.rule_data.get(KEY) if facts is not None else None
    if not isinstance(data, dict):
        return True
    parts = cls.split(".")
    for i in range(1, len(parts) + 1):
        kind = data["kinds"].get(".".join(parts[:i]))
        if kind == MAYBE and not _settle(project, path, ".".join(parts[:i]), 0):
            return False
    return True


def _settle(project: Project, path: str, cls: str, depth: int) -> bool:
    """Whether ``cls`` in ``path`` derives from a TestCase, following bases across files."""
    if depth > 8:
        return False
    facts = project.get(path)
    data = facts.rule_data.get(KEY) if facts is not None else None
    if not isinstance(data, dict) or cls not in data["kinds"]:
        return False
    kind = data["kinds"][cls]
    if kind == UNITTEST:
        return True
    if kind not in (MAYBE, TEST):
        return False
    for base in data["bases"].get(cls, ()):
        if base in data["kinds"]:
            if _settle(project, path, base, depth + 1):
                return True
            continue
        level = len(base) - len(base.lstrip("."))
        parts = base.lstrip(".").split(".")
        for i in range(len(parts) - 1, -1 if level else 0, -1):
            module = ".".join(parts[:i])
            target = project.find_module(module, path, level)
            if target is None or target == path:
                continue
            if _settle(project, target, ".".join(parts[i:]), depth + 1):
                return True
            break
    return False


# xunit setups -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Setup:
    """An xunit/unittest setup pytest runs as a fixture would be."""

    node: FunctionNode
    cls: str | None
    scope: str  # "module" | "class" | "function"
    name: str  # the function's name as written

    @property
    def qualname(self) -> str:
        return f"{self.cls}.{self.node.name}" if self.cls else self.node.name


def _functions(body: list[ast.stmt]) -> dict[str, FunctionNode]:
    """Functions a module or class body binds, with ``teardown_module = other`` aliases."""
    found: dict[str, FunctionNode] = {}
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[stmt.name] = stmt
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Name)
            and stmt.value.id in found
        ):
            found[stmt.targets[0].id] = found[stmt.value.id]
    return found


def module_setups(ctx: FileContext) -> list[Setup]:
    """Module-level xunit setups of a test module (none in a conftest.py or a non-test module)."""
    found: list[Setup] = []
    functions = _functions(ctx.tree.body)
    for names, scope in ((MODULE_SETUPS, "module"), (FUNCTION_SETUPS, "function")):
        for name in names:
            node = functions.get(name)
            if node is not None and node.name == name and not _is_fixture(ctx, node):
                found.append(Setup(node, None, scope, name))
                if scope == "module":
                    break  # pytest runs the first one it finds
    return found


def module_teardowns(ctx: FileContext) -> list[FunctionNode]:
    functions = _functions(ctx.tree.body)
    return [functions[n] for n in (*MODULE_TEARDOWNS, *FUNCTION_TEARDOWNS) if n in functions]


def class_setups(ctx: FileContext, node: ast.ClassDef, cls: str) -> list[Setup]:
    found: list[Setup] = []
    functions = _functions(node.body)
    for names, scope in ((CLASS_SETUPS, "class"), (METHOD_SETUPS, "function")):
        for name in names:
            fn = functions.get(name)
            if fn is not None and fn.name == name and not _is_fixture(ctx, fn):
                found.append(Setup(fn, cls, scope, name))
                break
    return found


def class_teardowns(node: ast.ClassDef) -> list[FunctionNode]:
    functions = _functions(node.body)
    return [functions[n] for n in (*CLASS_TEARDOWNS, *METHOD_TEARDOWNS) if n in functions]


def _is_fixture(ctx: FileContext, node: FunctionNode) -> bool:
    return any(f.node is node and f.fixture is not None for f in ctx.functions)


# class and module bodies ----------------------------------------------------------------------------
def body_function(body: list[ast.stmt], name: str, anchor: ast.AST) -> ast.FunctionDef | None:
    """The statements a module or class body runs at collection (definitions and imports left out),
    as a function the global-state scan can read; None when there are none."""
    stmts = [
        s for s in body
        if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))
    ]  # fmt: skip
    if not stmts:
        return None
    fn = ast.FunctionDef(
        name=name, args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                      kwarg=None, defaults=[]),
        body=stmts, decorator_list=[], returns=None, type_params=[],
    )  # fmt: skip
    fn.lineno = stmts[0].lineno
    fn.col_offset = stmts[0].col_offset
    fn.end_lineno = stmts[-1].end_lineno
    fn.end_col_offset = stmts[-1].end_col_offset
    return fn


def test_classes(ctx: FileContext) -> Iterator[tuple[str, ast.ClassDef]]:
    """(dotted name, node) for each class this file's tests live in, as recorded by ``class_kind``."""
    data = ctx.facts.rule_data.get(KEY)
    kinds = data["kinds"] if isinstance(data, dict) else {}
    stack: list[tuple[str | None, list[ast.stmt]]] = [(None, ctx.tree.body)]
    while stack:
        outer, body = stack.pop()
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                name = f"{outer}.{stmt.name}" if outer else stmt.name
                if kinds.get(name, NOT) != NOT:
                    yield name, stmt
                    stack.append((name, stmt.body))


# class-shared values (SLK201) ---------------------------------------------------------------------------
_MUTABLE_CALLS = frozenset({"dict", "list", "set", "bytearray", "collections.defaultdict", "collections.OrderedDict",
                            "collections.Counter", "collections.deque", "defaultdict", "OrderedDict", "Counter",
                            "deque"})  # fmt: skip


def _mutable(ctx: FileContext, value: ast.expr) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    return isinstance(value, ast.Call) and (ctx.qualify(value.func) or "") in _MUTABLE_CALLS


def _literal(value: ast.expr) -> bool:
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return isinstance(value, ast.Call) and not value.args and not value.keywords
    return True


def _first_arg(fn: FunctionNode) -> str | None:
    args = fn.args.posonlyargs + fn.args.args
    return args[0].arg if args else None


@dataclass(frozen=True, slots=True)
class SharedAttr:
    attr: str
    setup: str  # setup_class / setUpClass
    line: int
    literal: bool


def class_shared(ctx: FileContext, node: ast.ClassDef) -> dict[str, SharedAttr]:
    """Attributes a class-level setup binds to a new mutable container (``cls.buf = []``)."""
    functions = _functions(node.body)
    found: dict[str, SharedAttr] = {}
    for name in CLASS_SETUPS:
        fn = functions.get(name)
        if fn is None:
            continue
        first = _first_arg(fn)
        for stmt in iter_nodes(fn):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == first
                    and _mutable(ctx, stmt.value)
                ):
                    found[target.attr] = SharedAttr(target.attr, fn.name, stmt.lineno, _literal(stmt.value))
    # a method-level setup that binds the attribute again hands each test a fresh value
    for name in METHOD_SETUPS:
        fn = functions.get(name)
        if fn is None:
            continue
        first = _first_arg(fn)
        for stmt in iter_nodes(fn):
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == first:
                        found.pop(target.attr, None)
    return found


@dataclass(frozen=True, slots=True)
class SharedWrite:
    attr: str
    node: ast.AST
    what: str


def shared_writes(ctx: FileContext, fn: FunctionNode, attrs: set[str]) -> list[SharedWrite]:
    """Writes in test method ``fn`` into ``self.<attr>`` for the class-shared ``attrs`` (in order;
    a rebinding ``self.attr = ...`` first makes the attribute the test's own)."""
    me = _first_arg(fn)
    if me is None or not attrs:
        return []
    live = set(attrs)
    found: list[SharedWrite] = []

    def shared_root(node: ast.AST) -> str | None:
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == me
                and node.attr in live
            ):
                return node.attr
            node = node.value
        return None

    stmts = sorted(
        (n for n in iter_nodes(fn) if isinstance(n, ast.stmt) and n is not fn), key=lambda n: (n.lineno, n.col_offset)
    )
    for stmt in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = stmt.targets if isinstance(stmt, (ast.Assign, ast.Delete)) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == me:
                    if isinstance(stmt, ast.AugAssign) and target.attr in live:
                        found.append(SharedWrite(target.attr, stmt, f"augmented assignment to {short(target)}"))
                    live.discard(target.attr)  # rebound: the test's own value from here on
                    continue
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    attr = shared_root(target.value)
                    if attr is not None:
                        kind = "item" if isinstance(target, ast.Subscript) else "attribute"
                        verb = "del" if isinstance(stmt, ast.Delete) else f"{kind} assignment to"
                        found.append(SharedWrite(attr, target, f"{verb} {short(target)}"))
        for node in iter_nodes(stmt) if not isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try)) else ():
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in CONTAINER_METHODS:
                used = not (isinstance(stmt, ast.Expr) and stmt.value is node)
                if used and func.attr not in VALUE_RETURNING_METHODS:
                    continue
                attr = shared_root(func.value) if not (
                    isinstance(func.value, ast.Name)
                ) else None
                if attr is not None:
                    found.append(SharedWrite(attr, node, f"{func.attr}() on {short(func.value)}"))
            elif node.args and (ctx.qualify(func) or "") in MUTATING_FUNCTIONS:
                attr = shared_root(node.args[0])
                if attr is not None:
                    found.append(SharedWrite(attr, node, f"{ctx.qualify(func)}() on {short(node.args[0])}"))
    return found
