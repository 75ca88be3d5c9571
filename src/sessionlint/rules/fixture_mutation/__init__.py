"""Tests and fixtures that mutate a broader fixture's value: SLK201 (a test), SLK202 (a fixture)."""

from __future__ import annotations

import os
from typing import Iterator

from sessionlint import collection
from sessionlint.context import FileContext
from sessionlint.index import Project, Resolved, Shared
from sessionlint.model import SCOPE_RANK, Diagnostic, FileFacts, Fix, FixOp, FixtureDef, Mutation
from sessionlint.mutations import find_mutations
from sessionlint.parametrize import overwritten_first, shared_params
from sessionlint.rules.base import Example, Rule
from sessionlint.rules.fixture_values import immutable_fixtures
from sessionlint.syntax import class_nodes, display_path

RULES = [
    Rule(
        code="SLK201",
        name="test-mutates-shared-fixture",
        summary="a test writes to a broad fixture's value",
        fix="always",
        what="Flags a test that mutates the value of a fixture whose value outlives the test: a broad "
        "fixture, module state (SLK102), or a mutable `request.param`. Mutation means a mutating method "
        "(`append`, `update`, `pop`, ...), item or attribute assignment or deletion, augmented "
        "assignment, or a known mutating function (`random.shuffle`, `heapq.heappush`, `setattr`, ...), "
        "also through subscript/attribute chains (`cfg['users'].append`) and simple aliases "
        "(`basket = cart`). The fixture is resolved across files the way pytest does.\n\n"
        "Not flagged: a write to exactly what was saved before a `try` and is put back from that saved "
        "value in its `finally` (`previous = client.ds.meta` ... `finally: client.ds.meta = previous`); "
        "a `del` of an item the same test assigned (the assignment is what is reported); an item "
        "assigned under `if k not in cache:` (a memo filled once per key).",
        why="The next test that requests the fixture sees the change. Which test fails then depends on "
        "the order the tests run in.",
        example="""
def test_create_user(shared_config):
    shared_config["users"].append("alice")
""",
        use_instead="""
def test_create_user(shared_config):
    shared_config = copy.deepcopy(shared_config)
    shared_config["users"].append("alice")
""",
        fix_safety="The fix rebinds the name to a deep copy as the test's first statement. Safe when the "
        "fixture's value is built from literals; unsafe otherwise (the test may mean to change shared "
        "state, and deep copies of arbitrary objects can fail or change identity).",
        options="`immutable-fixtures`: fixture names whose values are declared safe to share.",
        references=("https://docs.python.org/3/library/copy.html#copy.deepcopy",),
        valid=(
            '@pytest.fixture(scope="session")\ndef cfg():\n    return {"users": []}  # noqa: SLK101\n\n\n'
            'def test_copy(cfg):\n    cfg = dict(cfg)\n    cfg["x"] = 1  # a copy: fine\n',
            '@pytest.fixture(scope="session")\ndef cfg():\n    return ("a", "b")\n\n\n'
            "def test_read(cfg):\n    assert cfg[0] == 'a'\n",
            '@pytest.fixture(scope="session")\ndef cfg():\n    return {"users": []}  # noqa: SLK101\n\n\n'
            'def test_mp(cfg, monkeypatch):\n    monkeypatch.setitem(cfg, "x", 1)\n',
            '@pytest.fixture\ndef cfg():\n    return {"users": []}\n\n\n'
            'def test_fresh(cfg):\n    cfg["users"].append(1)\n',
        ),
        invalid=(
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="session")\ndef shared_config():\n'
                '    return {"users": []}  # noqa: SLK101\n\n\n'
                'def test_create_user(shared_config):\n    shared_config["users"].append("alice")\n',
                fixed='import copy\nimport pytest\n\n\n@pytest.fixture(scope="session")\ndef shared_config():\n'
                '    return {"users": []}  # noqa: SLK101\n\n\n'
                "def test_create_user(shared_config):\n    shared_config = copy.deepcopy(shared_config)\n"
                '    shared_config["users"].append("alice")\n',
            ),
        ),
    ),
    Rule(
        code="SLK202",
        name="fixture-mutates-shared-fixture",
        summary="a narrower fixture writes to a broader fixture's value",
        fix="always",
        what="Flags a fixture that mutates the value of a fixture that lives longer than it does (by "
        "scope, or because the value is module state) and does not put it back after `yield`.",
        why="Every test that requests the narrower fixture changes the broad value for all tests that "
        "run after it, including those that never asked for the narrower fixture.",
        example="""
@pytest.fixture
def admin(shared_config):
    shared_config["users"].append("admin")
    return "admin"
""",
        use_instead="""
@pytest.fixture
def admin(shared_config):
    shared_config["users"].append("admin")
    yield "admin"
    shared_config["users"].remove("admin")
""",
        fix_safety="Unsafe: the fix rebinds the name to a deep copy first, so the fixture no longer "
        "changes the shared value; code that relied on the change being visible elsewhere breaks.",
        valid=(
            '@pytest.fixture(scope="session")\ndef cfg():\n    return {"users": []}  # noqa: SLK101\n\n\n'
            '@pytest.fixture\ndef admin(cfg):\n    cfg["users"].append("admin")\n    yield\n'
            '    cfg["users"].remove("admin")\n',
        ),
        invalid=(
            Example(
                'import pytest\n\n\n@pytest.fixture(scope="session")\ndef cfg():\n'
                '    return {"users": []}  # noqa: SLK101\n\n\n'
                '@pytest.fixture\ndef admin(cfg):\n    cfg["users"].append("admin")\n    return cfg\n',
                fixed='import copy\nimport pytest\n\n\n@pytest.fixture(scope="session")\ndef cfg():\n'
                '    return {"users": []}  # noqa: SLK101\n\n\n'
                '@pytest.fixture\ndef admin(cfg):\n    cfg = copy.deepcopy(cfg)\n    cfg["users"].append("admin")\n'
                "    return cfg\n",
                unsafe=True,
            ),
        ),
    ),
]


def _where(resolved: Resolved) -> str:
    line = resolved.fixture.span.line if resolved.fixture else 0
    return f"{display_path(resolved.path)}:{line}"


# per file ------------------------------------------------------------------------
def check_file(ctx: FileContext) -> None:
    """The per-file part of SLK201: class-shared setup values and parametrize values."""
    _class_shared_writes(ctx)
    _parametrize_writes(ctx)


def _class_shared_writes(ctx: FileContext) -> None:
    """SLK201 for containers a class-level setup creates (``cls.buf = []`` in ``setup_class`` /
    ``setUpClass``): one object for every test of the class, which a test writes into."""
    tests_by_class: dict[str, list] = {}
    for fn in ctx.tests():
        if fn.cls:
            tests_by_class.setdefault(fn.cls, []).append(fn)
    if not tests_by_class:
        return
    for cls, node in collection.test_classes(ctx):
        if cls not in tests_by_class:
            continue
        shared = collection.class_shared(ctx, node)
        if not shared:
            continue
        for fn in tests_by_class[cls]:
            for write in collection.shared_writes(ctx, fn.node, set(shared)):
                attr = shared[write.attr]
                name = f"self.{write.attr}"
                where = f"{os.path.basename(ctx.path)}:{attr.line}"
                op = FixOp(ctx.path, "deepcopy-rebind", (("func", fn.qualname), ("name", name)))
                ctx.report(
                    "SLK201",
                    write.node,
                    f"test '{fn.node.name}' mutates class-scoped '{name}' (set in {attr.setup} at {where}): "
                    f"{write.what}",
                    Fix("safe" if attr.literal else "unsafe", f"Deep-copy '{name}' at the start of the test", (op,)),
                    fixture=f"{cls}.{write.attr}",
                    scope="class",
                    defined=f"{ctx.path}:{attr.line}",
                    owner=fn.qualname,
                    owner_kind="test",
                    fix_title="copy it first (copy.deepcopy) or create it in setup_method/setUp",
                )


# across files ----------------------------------------------------------------------
def check_project(project: Project, settings: object) -> Iterator[Diagnostic]:
    immutable = immutable_fixtures(settings)
    for facts in project.facts.values():
        for test in facts.tests:
            if test.cls and not collection.collected(project, facts.path, test.cls):
                continue  # its class derives from a first-party class that is no TestCase after all
            yield from _writes(project, facts, test.cls, None, test.qualname, test.mutations, immutable)
        for fixture in facts.fixtures:
            rank = SCOPE_RANK.get(fixture.scope) if fixture.scope else None
            if rank is None:
                continue
            restored = {m.name for m in fixture.mutations if m.after_yield}
            before = [m for m in fixture.mutations if not m.after_yield and m.name not in restored]
            yield from _writes(project, facts, fixture.cls, fixture, fixture.qualname, before, immutable, rank)


def _writes(
    project: Project,
    facts: FileFacts,
    cls: str | None,
    fixture: FixtureDef | None,
    qualname: str,
    mutations: list[Mutation],
    immutable: frozenset[str],
    rank: int | None = None,
) -> Iterator[Diagnostic]:
    cache: dict[str, Shared | None] = {}
    for mutation in mutations:
        if mutation.name not in cache:
            resolved = project.resolve(mutation.name, facts.path, cls, requester=fixture)
            cache[mutation.name] = project.shared(resolved, immutable)
        shared = cache[mutation.name]
        if shared is None or (rank is not None and shared.rank <= rank):
            continue
        target = shared.resolved.fixture
        assert target is not None
        container = target.value is not None and target.value.kind in ("mutable", "shared", "param")
        if mutation.ambiguous and not container:
            continue
        literal = bool(target.value and target.value.literal and target.value.kind == "mutable")
        where = f"{shared.label} fixture '{mutation.name}' ({_where(shared.resolved)})"
        op = FixOp(facts.path, "deepcopy-rebind", (("func", qualname), ("name", mutation.name)))
        span = mutation.span
        if fixture is None:
            code = "SLK201"
            name = qualname.rsplit(".", 1)[-1]
            message = f"test '{name}' mutates {where}: {mutation.what}"
            help_ = "copy it first (copy.deepcopy) or use a function-scoped fixture"
            fix = Fix("safe" if literal else "unsafe", f"Deep-copy '{mutation.name}' at the start of the test", (op,))
        else:
            code = "SLK202"
            message = (
                f"fixture '{fixture.name}' ({fixture.scope}-scoped) mutates {where}: {mutation.what}, "
                f"not restored after yield"
            )
            help_ = "copy it first (copy.deepcopy) or undo the change in teardown"
            fix = Fix("unsafe", f"Deep-copy '{mutation.name}' at the start of the fixture", (op,))
        yield Diagnostic(
            facts.path, span.line, span.col, code, message, span.end_line, span.end_col, fix,
            fixture=mutation.name, scope=shared.label.removesuffix("-scoped"),
            defined=f"{shared.resolved.path}:{target.span.line}", owner=qualname,
            owner_kind="test" if fixture is None else "fixture", fix_title=help_,
        )  # fmt: skip


def _parametrize_writes(ctx: FileContext) -> None:
    """SLK201 on a parametrize value that pytest hands to several items, mutated by the test."""
    classes = None
    for fn in ctx.tests():
        if not fn.node.decorator_list:
            continue
        if classes is None:
            classes = class_nodes(ctx.tree)
        shared = {p.name: p for p in shared_params(ctx, fn, classes)}
        if not shared:
            continue
        for mutation in find_mutations(ctx, fn.node, set(shared)):
            param = shared[mutation.name]
            if overwritten_first(fn.node, mutation.span.line, param):
                continue
            op = FixOp(ctx.path, "deepcopy-rebind", (("func", fn.qualname), ("name", mutation.name)))
            ctx.report(
                "SLK201",
                mutation.span,
                f"test '{fn.node.name}' mutates parametrize argument '{mutation.name}' ({param.desc} that pytest "
                f"hands to {param.items} items): {mutation.what}",
                Fix("safe" if param.literal else "unsafe", f"Deep-copy '{mutation.name}' at the start of the test", (op,)),
                fix_title="copy it first (copy.deepcopy): the next item gets the same object",
                fixture=mutation.name,
                scope="parametrize",
                owner=fn.qualname,
                owner_kind="test",
            )
