"""Fixture values every test shares: SLK101 (broad mutable value), SLK102 (module state handed out)."""

from __future__ import annotations

import ast
from typing import Iterator

from sessionlint.context import FileContext
from sessionlint.index import Project
from sessionlint.model import (
    BROAD_SCOPES,
    Diagnostic,
    FileFacts,
    Fix,
    FixOp,
    FixtureDef,
)
from sessionlint.mutations import find_mutations
from sessionlint.rules.base import Example, Rule
from sessionlint.syntax import own_nodes

RULES = [
    Rule(
        code="SLK101",
        name="mutable-fixture-value",
        summary="a broad fixture hands out a mutable container",
        fix="sometimes",
        what="Flags a fixture of scope `class`, `module`, `package` or `session` that returns or yields "
        "a mutable container: a dict, list, set or bytearray display or comprehension, `dict()`, "
        "`list()`, `set()`, `defaultdict`, `OrderedDict`, `Counter`, `deque`, `{**x}`, or a local "
        "bound to one, a deserializer result (`json.load`, `yaml.safe_load`, `pickle.load`, `tomllib.load`, "
        "`ast.literal_eval`), a tuple holding one of those (`return data, meta`), a value whose return "
        "annotation or type alias names a mutable type (`-> dict[str, str]`, `-> pd.DataFrame`), or an "
        "instance of a common mutable third-party type (pandas `DataFrame`/`Series`/`read_csv`, numpy "
        "`ndarray`/`array`/`zeros`/`ones`/`empty`/`full`/`arange`/..., xarray `Dataset`/`DataArray`/"
        "`open_dataset`), or an instance of a first-party class (defined in the test tree or a project "
        "module) that some test or fixture writes an attribute or item of (`settings.debug = True`); "
        "frozen dataclasses, NamedTuples and enums stay immutable. Also flags a parametrized fixture that returns `request.param` when its "
        "`params` hold mutable literals: pytest hands the same object to every test with that param; a "
        "function-scoped one is reported only when some test or fixture writes to the value.",
        why="pytest builds a broad fixture once and gives every test the same object. The first test "
        "that appends to it changes what every later test sees, so the suite passes test by test and "
        "fails as a whole, or only in some orders.",
        example="""
@pytest.fixture(scope="session")
def shared_config():
    return {"database_url": "sqlite:///test.db", "users": []}
""",
        use_instead="""
@pytest.fixture
def shared_config():
    return {"database_url": "sqlite:///test.db", "users": []}
""",
        fix_safety="Dropping the scope is safe when the value is built only from literals and no broad "
        "fixture requests it (it would then be rebuilt for each test, with the same contents). "
        "`copy.deepcopy(request.param)` is safe. Otherwise the fix is unsafe: the fixture is kept under "
        "a private name with its scope, and a function-scoped fixture under the public name returns a "
        "deep copy; broad fixtures that requested it are rewired to the private one. A deep copy can "
        "change identity-based assertions and costs time on large values.",
        options="`immutable-fixtures`: fixture names declared safe to share. "
        "`extra-mutable-types`: more constructors or annotations (qualified, e.g. `polars.DataFrame`, or a "
        "bare class name) that build mutable values, added to the built-in table of pandas, numpy and "
        "xarray types.",
        references=(
            "https://docs.pytest.org/en/stable/how-to/fixtures.html#scope-sharing-fixtures-across-classes-modules-packages-or-session",
        ),
        valid=(
            '@pytest.fixture(scope="session")\ndef config():\n    return ("sqlite://", 5)\n',
            '@pytest.fixture(scope="session")\ndef make_user():\n    def make(**kw):\n        return {"name": "x", **kw}\n    return make\n',
            'from types import MappingProxyType\n\n@pytest.fixture(scope="session")\ndef settings():\n    return MappingProxyType({"debug": False})\n',
            '@pytest.fixture(scope="session")\ndef data_dir(tmp_path_factory):\n    return tmp_path_factory.mktemp("data")\n',
            "@pytest.fixture\ndef users():\n    return []\n",
            '@pytest.fixture(params=[1, 2])\ndef number(request):\n    return request.param\n',
        ),
        invalid=(
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="session")\ndef shared_config():\n'
                '    return {"database_url": "sqlite:///test.db", "users": []}\n',
                fixed='import pytest\n\n\n@pytest.fixture\ndef shared_config():\n'
                '    return {"database_url": "sqlite:///test.db", "users": []}\n',
            ),
            Example(
                'import pytest\n\n\n@pytest.fixture(params=[{"a": 1}, {"a": 2}])\ndef payload(request):\n'
                '    return request.param\n\n\ndef test_seen(payload):\n    payload["seen"] = True\n',
                fixed='import copy\nimport pytest\n\n\n@pytest.fixture(params=[{"a": 1}, {"a": 2}])\n'
                "def payload(request):\n    return copy.deepcopy(request.param)\n\n\n"
                'def test_seen(payload):\n    payload["seen"] = True\n',
            ),
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="module")\ndef registry(tmp_path_factory):\n'
                '    return {"root": tmp_path_factory.getbasetemp()}\n',
                fixed='import copy\nimport pytest\n\n\n@pytest.fixture(scope="module")\n'
                'def _registry_shared(tmp_path_factory):\n    return {"root": tmp_path_factory.getbasetemp()}\n\n\n'
                "@pytest.fixture\ndef registry(_registry_shared):\n    return copy.deepcopy(_registry_shared)\n",
                unsafe=True,
            ),
        ),
    ),
    Rule(
        code="SLK102",
        name="shared-module-state",
        summary="a fixture hands out module-level mutable state",
        fix="sometimes",
        what="Flags a fixture, of any scope, that returns or yields state that lives in a module: a module "
        "global bound to a mutable container, an object imported from another module (`from app import "
        "_app` ... `return _app`; CapWords names are taken for classes and left alone; silent when the "
        "defining module binds it to a constant — a number, a string, a path, `object()`, a tuple of "
        "those — or, for a module outside the project, when its name is spelled as a constant, "
        "`DEFAULT_PORT`), the result of an "
        "`lru_cache`/`cache`-decorated function, or a singleton accessor (`X.instance()`, `get_instance()`).",
        why="The declared scope does not matter when the value lives in a module: every test gets the "
        "same object, and what one test writes into it the next one reads. sessionlint treats such "
        "values as broad for SLK201 and SLK202 too.",
        example="""
REGISTRY = {}

@pytest.fixture
def registry():
    return REGISTRY
""",
        use_instead="""
REGISTRY = {}

@pytest.fixture
def registry():
    return copy.deepcopy(REGISTRY)
""",
        fix_safety="Unsafe: returning a deep copy means code under test that reads the module global no "
        "longer sees what the test writes into the fixture value.",
        references=("https://docs.python.org/3/library/functools.html#functools.lru_cache",),
        valid=(
            "DEFAULTS = (1, 2)\n\n@pytest.fixture\ndef defaults():\n    return DEFAULTS\n",
            "REGISTRY = {}\n\n@pytest.fixture\ndef registry():\n    return dict(REGISTRY)\n",
        ),
        invalid=(
            Example(
                "import pytest\n\nREGISTRY = {}\n\n\n@pytest.fixture\ndef registry():\n    return REGISTRY\n",
                fixed="import copy\nimport pytest\n\nREGISTRY = {}\n\n\n@pytest.fixture\ndef registry():\n"
                "    return copy.deepcopy(REGISTRY)\n",
                unsafe=True,
            ),
        ),
    ),
]

_PRIVATE_SUFFIX = "_shared"


def immutable_fixtures(settings: object) -> frozenset[str]:
    return frozenset(getattr(settings, "immutable_fixtures", ()))


# per file ------------------------------------------------------------------------
def check_file(ctx: FileContext) -> None:
    """SLK102: module state handed out by a fixture, whatever its scope."""
    _helper_writes(ctx)
    _immutable_classes(ctx)
    _constants(ctx)
    immutable = immutable_fixtures(ctx.settings)
    for fn in ctx.fixtures():
        fixture = fn.fixture
        assert fixture is not None
        value = fixture.value
        if value is None or value.kind != "shared" or value.span is None or fixture.name in immutable:
            continue
        if value.source:
            continue  # an object imported from another module: settled across files (check_project)
        ctx.facts.diagnostics.append(_slk102(ctx.path, fixture, fn.qualname))


def _slk102(path: str, fixture: FixtureDef, qualname: str) -> Diagnostic:
    value = fixture.value
    assert value is not None and value.span is not None
    verb = "yields" if fixture.is_yield else "returns"
    fix = Fix(
        "unsafe",
        f"Return a deep copy of {value.desc}",
        (FixOp(path, "deepcopy-value", (("func", qualname),)),),
    )
    span = value.span
    return Diagnostic(
        path, span.line, span.col, "SLK102",
        f"fixture '{fixture.name}' {verb} {value.desc}, which every test shares whatever the fixture's scope",
        span.end_line, span.end_col, fix,
        fixture=fixture.name, scope=fixture.scope or "", defined=f"{path}:{fixture.span.line}",
        owner=qualname, owner_kind="fixture", fix_title="hand out a copy (copy.deepcopy) or build the value in the fixture",
    )  # fmt: skip


CONSTANTS = "SLK102.constants"  # rule_data key: top-level names bound to a value no importer can write
_IMMUTABLE_CALLS = frozenset(
    {"str", "int", "float", "bool", "bytes", "tuple", "frozenset", "object", "Path", "PurePath", "PosixPath",
     "join", "abspath", "dirname", "realpath", "normpath", "expanduser", "resolve", "absolute", "getenv", "get"}
)  # fmt: skip


def _constants(ctx: FileContext) -> None:
    """Module-level names bound to a value importers cannot write: ``PORT = 8888``, ``URL = "http://" + HOST``,
    ``ROOT = Path(__file__).parent / "data"``, ``SENTINEL = object()``. Read by SLK102 across files."""
    found = [name for name, expr in ctx.module_globals.items() if _immutable_expr(ctx, expr, 0)]
    if found:
        ctx.facts.rule_data[CONSTANTS] = sorted(found)


def _immutable_expr(ctx: FileContext, expr: ast.expr, depth: int) -> bool:
    if depth > 4:
        return False
    if isinstance(expr, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(expr, ast.Tuple):
        return all(_immutable_expr(ctx, e, depth + 1) for e in expr.elts)
    if isinstance(expr, ast.BinOp):  # "http://" + HOST, ROOT / "data", 60 * 60
        return not isinstance(expr.left, (ast.List, ast.Dict, ast.Set, ast.ListComp)) and not isinstance(
            expr.right, (ast.List, ast.Dict, ast.Set, ast.ListComp)
        ) and (_immutable_expr(ctx, expr.left, depth + 1) or _immutable_expr(ctx, expr.right, depth + 1))
    if isinstance(expr, ast.UnaryOp):
        return _immutable_expr(ctx, expr.operand, depth + 1)
    if isinstance(expr, ast.Attribute):  # Path(__file__).parent
        return expr.attr in ("parent", "name", "stem", "suffix") and _immutable_expr(ctx, expr.value, depth + 1)
    if isinstance(expr, ast.Call):
        qual = ctx.qualify(expr.func) or (expr.func.attr if isinstance(expr.func, ast.Attribute) else "")
        last = qual.rsplit(".", 1)[-1]
        if last == "get":  # os.environ.get(...)
            return qual.endswith("environ.get")
        return last in _IMMUTABLE_CALLS
    return False


CLASSES = "SLK101.immutable_classes"  # rule_data key: top-level classes whose instances cannot be written
_FROZEN_DECORATORS = frozenset({"dataclass", "define", "s", "attrs", "frozen", "dataclasses.dataclass"})
_IMMUTABLE_BASES = frozenset(
    {"NamedTuple", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "tuple", "frozenset", "str", "int"}
)


def _immutable_classes(ctx: FileContext) -> None:
    """Top-level classes whose instances tests cannot write: frozen dataclasses (and attrs), NamedTuples,
    enums. A fixture handing out an instance of another first-party class is mutable state once a test
    writes to it (SLK101, settled across files)."""
    found: list[str] = []
    for stmt in ctx.tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        frozen = any(
            (
                isinstance(d, ast.Call)
                and (ctx.qualify(d.func) or "").rsplit(".", 1)[-1] in _FROZEN_DECORATORS
                and any(k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value is True
                        for k in d.keywords)
            )
            or (ctx.qualify(d) or "").endswith(("attr.frozen", "attrs.frozen"))
            for d in stmt.decorator_list
        )  # fmt: skip
        based = any((ctx.qualify(b) or "").rsplit(".", 1)[-1] in _IMMUTABLE_BASES for b in stmt.bases)
        if frozen or based:
            found.append(stmt.name)
    if found:
        ctx.facts.rule_data[CLASSES] = found


def _helper_writes(ctx: FileContext) -> None:
    """Parametrized fixtures of this file that a test hands to a module function writing its argument.

    ``apply_discount(order)`` with ``def apply_discount(order): order["total"] -= 10``: the write
    counts for SLK101's ``request.param`` check as if the test made it (kept in ``rule_data``).
    """
    params = {
        fn.fixture.name: fn.fixture.span.line for fn in ctx.fixtures()
        if fn.fixture is not None and fn.fixture.value is not None and fn.fixture.value.kind == "param"
        and fn.fixture.params_literal == "mutable"
    }  # fmt: skip
    if not params or not ctx.module_functions:
        return
    written: set[int] = set()
    for fn in ctx.tests():
        requested = {a.arg for a in fn.node.args.args} & params.keys()
        for node in own_nodes(fn.node) if requested else ():
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            helper = ctx.module_functions.get(node.func.id)
            if helper is None:
                continue
            names = [a.arg for a in (*helper.args.posonlyargs, *helper.args.args)]
            for arg, name in zip(node.args, names):
                if isinstance(arg, ast.Name) and arg.id in requested and find_mutations(ctx, helper, {name}):
                    written.add(params[arg.id])
    if written:
        ctx.facts.rule_data["SLK101"] = sorted(written)


# across files ----------------------------------------------------------------------
def check_project(project: Project, settings: object) -> Iterator[Diagnostic]:
    immutable = immutable_fixtures(settings)
    written = _written_params(project)
    for facts in project.facts.values():
        yield from _mutable_values(project, facts, immutable, written)
        yield from _imported_state(project, facts, immutable)


def _imported_state(project: Project, facts: FileFacts, immutable: frozenset[str]) -> Iterator[Diagnostic]:
    """SLK102 for an object a fixture imports from another module: silent when that module binds it to a
    constant (a number, a string, a path, a sentinel), or, outside the project, when its name is spelled
    as a constant (``DEFAULT_PORT``): precision first, the defining module cannot be read."""
    for fixture in facts.fixtures:
        value = fixture.value
        if value is None or value.kind != "shared" or not value.source or value.span is None:
            continue
        if fixture.name in immutable:
            continue
        level = len(value.source) - len(value.source.lstrip("."))
        module, _, name = value.source.lstrip(".").rpartition(".")
        try:
            where = project.find_module(module, facts.path, level)
        except Exception:  # noqa: BLE001 - an odd name is simply not found
            where = None
        other = project.get(where) if where else None
        if other is not None and other.top_names is not None and name in other.top_names:
            if name in (other.rule_data.get(CONSTANTS) or ()):
                continue
        elif name.isupper():
            continue
        yield _slk102(facts.path, fixture, fixture.qualname)


def _written_params(project: Project) -> set[tuple[str, int]]:
    """(path, line) of the parametrized fixtures some test or fixture writes to."""
    found: set[tuple[str, int]] = set()
    for facts in project.facts.values():
        helper_written = facts.rule_data.get("SLK101")
        if isinstance(helper_written, list):
            found.update((facts.path, line) for line in helper_written)
        owners = [(t.cls, None, t.mutations) for t in facts.tests]
        owners += [(f.cls, f, f.mutations) for f in facts.fixtures]
        for cls, requester, mutations in owners:
            for name in {m.name for m in mutations}:
                resolved = project.resolve(name, facts.path, cls, requester=requester)
                fixture = resolved.fixture if resolved is not None else None
                if fixture is None or fixture.value is None:
                    continue
                if fixture.value.kind == "param":
                    found.add((resolved.path or "", fixture.span.line))
                elif fixture.value.cls and any(
                    m.name == name and m.what.startswith(_INSTANCE_WRITES) for m in mutations
                ):  # an attribute or item of an instance written: ``config.debug = True``
                    found.add((resolved.path or "", fixture.span.line))
    return found


_INSTANCE_WRITES = ("attribute assignment", "item assignment", "augmented assignment", "del ")


def _first_party_class(project: Project, path: str, dotted: str) -> str | None:
    """The class name when ``dotted`` (as the fixture's module wrote it) is a class defined in this file or a
    first-party module, and its instances can be written (not frozen, not a NamedTuple or enum)."""
    level = len(dotted) - len(dotted.lstrip("."))
    module, _, name = dotted.lstrip(".").rpartition(".")
    if module or level:
        try:
            where = project.find_module(module, path, level)
        except Exception:  # noqa: BLE001 - an odd name is simply not found
            where = None
    else:
        where = path
    facts = project.get(where) if where else None
    if facts is None or not facts.top_names or facts.top_names.get(name) is None:
        return None  # not found, or not a class there (top_names holds a class's members, None otherwise)
    if name in (facts.rule_data.get(CLASSES) or ()):
        return None
    return name


def _mutable_values(
    project: Project, facts: FileFacts, immutable: frozenset[str], written: set[tuple[str, int]]
) -> Iterator[Diagnostic]:
    # a broad fixture that a function-scoped wrapper hands out as a copy is the fixed pattern
    # (copy.deepcopy(x), dict(x), {**x, ...}: the wrapper is what tests request)
    copied = {
        f.value.source for f in facts.fixtures
        if f.value is not None and f.value.kind in ("copy", "mutable") and f.value.source in f.args
        and f.scope == "function"
    }  # fmt: skip
    for fixture in facts.fixtures:
        value = fixture.value
        if value is None or value.span is None or fixture.name in immutable or fixture.name in copied:
            continue
        verb = "yields" if fixture.is_yield else "returns"
        span = value.span
        if value.kind == "param" and fixture.params_literal == "mutable":
            if fixture.scope not in BROAD_SCOPES and (facts.path, fixture.span.line) not in written:
                continue  # handed out fresh per param and only read: lists that are unpacked, dicts looked up
            fix = Fix(
                "safe",
                "Return copy.deepcopy(request.param)",
                (FixOp(facts.path, "deepcopy-value", (("func", fixture.qualname),)),),
            )
            message = (
                f"fixture '{fixture.name}' {verb} request.param, and its params hold mutable literals that "
                f"every test with the same param shares"
            )
            help_ = f"{verb[:-1]} copy.deepcopy(request.param)"
        elif (
            value.kind == "opaque" and value.cls and fixture.scope in BROAD_SCOPES
            and (facts.path, fixture.span.line) in written
            and _first_party_class(project, facts.path, value.cls) is not None
        ):  # fmt: skip
            fix = _slk101_fix(project, facts, fixture)
            cls = value.cls.rsplit(".", 1)[-1]
            message = (
                f"{fixture.scope}-scoped fixture '{fixture.name}' {verb} an instance of {cls}, which tests write to "
                f"and every test shares"
            )
            help_ = "hand out a fresh instance per test (function scope), or a deep copy"
        elif value.kind == "mutable" and fixture.scope in BROAD_SCOPES:
            fix = _slk101_fix(project, facts, fixture)
            message = f"{fixture.scope}-scoped fixture '{fixture.name}' {verb} {value.desc} that every test shares"
            help_ = "hand out an immutable value, or a fresh copy per test (function scope)"
        else:
            continue
        yield Diagnostic(
            facts.path, span.line, span.col, "SLK101", message, span.end_line, span.end_col, fix,
            fixture=fixture.name, scope=fixture.scope or "", defined=f"{facts.path}:{fixture.span.line}",
            owner=fixture.qualname, owner_kind="fixture", fix_title=help_,
        )  # fmt: skip


def _slk101_fix(project: Project, facts: FileFacts, fixture: FixtureDef) -> Fix | None:
    consumers = list(_broad_consumers(project, facts.path, fixture))
    if fixture.value is not None and fixture.value.literal and not consumers:
        return Fix(
            "safe",
            f"Drop scope='{fixture.scope}': build the value for each test",
            (FixOp(facts.path, "drop-scope", (("func", fixture.qualname),)), ),
            priority=0,
        )
    if fixture.cls is not None or fixture.has_name_kwarg:
        return None
    private = f"_{fixture.name}{_PRIVATE_SUFFIX}"
    ops = [FixOp(facts.path, "split-fixture", (("func", fixture.qualname), ("private", private)))]
    for path, consumer in consumers:
        ops.append(
            FixOp(path, "rename-param", (("func", consumer.qualname), ("old", fixture.name), ("new", private)))
        )
    return Fix(
        "unsafe",
        f"Keep the {fixture.scope}-scoped value as '{private}' and hand each test a deep copy",
        tuple(ops),
        priority=0,
    )


def _broad_consumers(project: Project, path: str, fixture: FixtureDef) -> Iterator[tuple[str, FixtureDef]]:
    """Fixtures that request ``fixture`` and would break if it became function-scoped."""
    for other_path in project.visible_from(path):
        facts = project.get(other_path)
        if facts is None:
            continue
        for consumer in facts.fixtures:
            if fixture.name not in consumer.args or consumer is fixture:
                continue
            if consumer.scope is not None and consumer.scope not in BROAD_SCOPES:
                continue
            resolved = project.resolve(fixture.name, other_path, consumer.cls, requester=consumer)
            if resolved is not None and resolved.fixture is not None and resolved.path == path and (
                resolved.fixture.span == fixture.span
            ):
                yield other_path, consumer
