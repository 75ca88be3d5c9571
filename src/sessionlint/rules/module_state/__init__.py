"""Module and class state: SLK203 test-mutates-module-state.

Per file (``check_file``): module-level and class-level containers, and the
writes tests and fixtures make to them; writes to names imported from other
modules wait in ``rule_data`` for the project step (``check_project``), which
looks the name up in that module's containers. Fixers live in ``fix.py``,
imported only when fixing.
"""

from __future__ import annotations

import ast
import os
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import replace

from sessionlint.context import FileContext, Function, any_within
from sessionlint.index import Project
from sessionlint.model import Diagnostic, Fix, FixOp
from sessionlint.mutations import alias_key
from sessionlint.rules.base import Example, Rule
from sessionlint.rules.module_state.state import (
    StateWalker,
    Write,
    autouse_touched,
    class_containers,
    local_names,
    module_attribute_keys,
    module_containers,
    restored_in_teardowns,
)
from sessionlint.syntax import class_nodes, first_yield, own_nodes
from sessionlint.values import MUTABLE_CONSTRUCTORS

CODE = "SLK203"
_DESC = "\0desc\0"  # placeholder in pending messages, replaced once the imported container is known

RULES = [
    Rule(
        code=CODE,
        name="test-mutates-module-state",
        summary="a test or fixture writes into a module- or class-level container",
        fix="sometimes",
        what="Flags a test or fixture that mutates, in place, a container that lives at module or class "
        "level: a dict/list/set display or comprehension, `dict()`/`list()`/`set()`, a deserializer result "
        "(`json.load(s)`, `pickle.load(s)`, `yaml.safe_load`, `tomllib.load(s)`, `ast.literal_eval`) or a "
        "known mutable type bound to a module global of a test module, a conftest, a test helper, or a "
        "first-party module the test imports (`from app.registry import HANDLERS`); or a mutable class "
        "attribute of a test class written through `self.attr`. Writes are item and attribute "
        "assignment, augmented assignment, `del x[k]`, mutating methods (`append`, `update`, `pop`, ...) "
        "and `inplace=True`, directly or through a local alias (`payload = DEFAULTS`).\n\n"
        "Silent when the test copies first (`dict(X)`, `copy.deepcopy(X)`, `[*X]`, `X.copy()`), patches "
        "the container (`mock.patch.dict`, `monkeypatch.setitem`), restores it in a `finally` block, after "
        "`yield`, in a registered cleanup or a setup/teardown function, or when an autouse fixture of the "
        "module resets it for every test. A write that puts the container back as the module built it is "
        "the cleanup of what the code under test filled, not a leak: `ERRORS.clear()` on `ERRORS = []`, "
        "`COUNTER[\"n\"] = 0` on `COUNTER = {\"n\": 0}` (unless the module body fills it after binding "
        "it). An item assigned under `if k not in cache:` fills a memo once per key and is not flagged.",
        why="A module or a class is built once per test session. What one test writes into its containers "
        "every later test reads, the code under test included; the suite then passes or fails depending on "
        "the order the tests run in.",
        example="""
DEFAULTS = {"retries": 3}

def test_retries():
    payload = DEFAULTS
    payload["retries"] = 5
    assert client(payload).retries == 5
""",
        use_instead="""
DEFAULTS = {"retries": 3}

def test_retries(monkeypatch):
    monkeypatch.setitem(DEFAULTS, "retries", 5)
    assert client(DEFAULTS).retries == 5
""",
        fix_safety="A single item assignment (`X[k] = v`, also through an alias or `self.attr`) in a test, or "
        "in a function-scoped fixture, that can request `monkeypatch` becomes `monkeypatch.setitem(X, k, v)` "
        "and requests `monkeypatch`: safe, the test sees the same value and pytest undoes the write "
        "afterwards. A write through a local alias (`payload = DEFAULTS`) can instead copy at the alias "
        "(`payload = copy.deepcopy(DEFAULTS)`): unsafe, code under test that reads the module global no "
        "longer sees the test's change. Other writes have no fix.",
        options="`extra-mutable-types`: more constructors that build mutable values.",
        references=(
            "https://docs.pytest.org/en/stable/how-to/monkeypatch.html",
            "https://docs.python.org/3/library/unittest.mock.html#patch-dict",
        ),
        valid=(
            'DEFAULTS = {"retries": 3}\n\n\ndef test_copy():\n    payload = dict(DEFAULTS)\n    payload["retries"] = 5\n',
            'DEFAULTS = {"retries": 3}\n\n\ndef test_mp(monkeypatch):\n    monkeypatch.setitem(DEFAULTS, "retries", 5)\n',
            "HANDLERS = []\n\n\ndef test_restored():\n    HANDLERS.append(print)\n    try:\n        assert HANDLERS\n"
            "    finally:\n        HANDLERS.remove(print)\n",
            'LIMITS = (1, 2)\nNAMES = {"a": 1}\n\n\ndef test_read():\n    assert LIMITS[0] == NAMES["a"]\n',
        ),
        invalid=(
            Example(
                'DEFAULTS = {"retries": 3}\n\n\ndef test_retries():\n    DEFAULTS["retries"] = 5\n',
                fixed='DEFAULTS = {"retries": 3}\n\n\ndef test_retries(monkeypatch):\n'
                '    monkeypatch.setitem(DEFAULTS, "retries", 5)\n',
            ),
            Example(
                'FAKE_IDENTITY = {"editcount": 0}\n\n\ndef test_power_user():\n    identity = FAKE_IDENTITY\n'
                '    identity.update(editcount=500)\n',
                fixed='import copy\n\n\nFAKE_IDENTITY = {"editcount": 0}\n\n\ndef test_power_user():\n'
                "    identity = copy.deepcopy(FAKE_IDENTITY)\n    identity.update(editcount=500)\n",
                unsafe=True,
            ),
            Example('HANDLERS = []\n\n\ndef test_register():\n    HANDLERS.append(print)\n'),
            Example(
                'class TestPayload:\n    payload = {"k": "v"}\n\n    def test_write(self):\n        self.payload["k"] = "w"\n',
                fixed='class TestPayload:\n    payload = {"k": "v"}\n\n    def test_write(self, monkeypatch):\n'
                '        monkeypatch.setitem(self.payload, "k", "w")\n',
            ),
        ),
    ),
]


# per file ------------------------------------------------------------------------------
def check_file(ctx: FileContext) -> None:
    containers = module_containers(ctx)
    if containers:
        ctx.facts.rule_data[CODE] = {"containers": containers}
    owners = [fn for fn in ctx.functions if fn.test is not None or fn.fixture is not None]
    if not owners:
        return
    classes = class_containers(ctx)
    imported = {imp.asname: imp for imp in ctx.facts.imports if imp.name != "*"}
    reset = autouse_touched(ctx, ctx.functions)
    pending: list[tuple[str, int, str, Diagnostic, bool]] = []
    candidates = [*containers, *(n for n in imported if not _class_like(imported[n].name))]
    classes_by_name = class_nodes(ctx.tree)
    modules = list(ctx.aliases)
    set_up = _set_up_bindings(classes_by_name, set(candidates)) if classes_by_name and candidates else {}
    # a cheap look at the file's text first, once: where each candidate may be written (most
    # functions write nothing that could be module state), and where a ``mod.NAME`` appears
    whole = ctx.text
    hits = sorted((at, n) for n in candidates for at in _written_at(n, whole))
    offsets = [at for at, _ in hits]
    constants = [
        m.start() for m in _MODULE_CONSTANT.finditer(whole) if m.start() and _word_char(whole[m.start() - 1])
    ] if modules else []  # fmt: skip
    for fn in owners:
        start, end = ctx.text_range(fn.node.lineno, fn.node.end_lineno or fn.node.lineno)
        first = bisect_left(offsets, start)
        names = {hits[i][1] for i in range(first, bisect_left(offsets, end, first))}
        cls_attrs = classes.get(fn.cls or "", {}) if fn.cls else {}
        cls_short = (fn.cls or "").rsplit(".", 1)[-1]
        extra: dict[str, str] = {}
        has_constant = any_within(constants, start, end)
        text = whole[start:end] if cls_attrs or set_up or has_constant else ""
        for key, bound in set_up.get(fn.cls or "", {}).items():  # ``self.x = X`` in setUp: ``self.x`` is X
            if key in text and bound in candidates:
                extra[key] = bound
        for attr in cls_attrs:
            if attr in text and any(_written(f"{receiver}.{attr}", text) for receiver in ("self", "cls", cls_short)):
                for receiver in ("self", "cls", cls_short):
                    extra[f"{receiver}.{attr}"] = f"{fn.cls}.{attr}"
        if not names and not extra and not has_constant:
            continue
        # names the function binds itself are left to the walker: an assignment drops the alias
        params = _params(fn.node)
        if has_constant and any(f"{m}." in text for m in modules):
            modattrs = {
                k: v for k, v in module_attribute_keys(ctx, fn.node, params).items()
                if k not in extra and k.rsplit(".", 1)[-1].isupper()
            }  # fmt: skip
            extra.update({k: f"\0mod\0{v}" for k, v in modattrs.items()})
        names -= params
        if not names and not extra:
            continue
        fixture = fn.fixture
        yielded = first_yield(fn.node) if fixture is not None and fixture.is_yield else None
        yield_line = yielded.lineno if yielded is not None else None
        walker = StateWalker(ctx, names, yield_line, extra)
        walker.scope = fn.node
        walker.body(fn.node.body)
        if not walker.writes:
            continue
        walker.patched |= _decorator_patched(ctx, fn)
        restored = {w.value for w in walker.writes if w.in_finally or w.after_yield} | walker.patched
        teardown = restored_in_teardowns(ctx, classes_by_name.get(fn.cls or "")) | reset
        fix_op = _setitem_op(ctx, fn, walker.writes, restored)
        for write in walker.writes:
            if write.value in restored or write.in_finally or write.after_yield:
                continue
            if _reset_elsewhere(write.value, teardown, cls_short):
                continue
            direct_attr = _direct_attribute(write)
            if write.value.startswith("\0mod\0"):
                qual = write.value[len("\0mod\0") :]
                module, _, name = qual.rpartition(".")
                level = len(module) - len(module.lstrip("."))
                diag = _diagnostic(ctx, fn, write, name, _DESC, module, fix_op)
                pending.append((module.lstrip("."), level, name, diag, direct_attr))
            elif write.value in containers:
                if direct_attr and _builtin(containers[write.value]):
                    continue
                if _resets_to_initial(ctx, write):
                    continue
                ctx.facts.diagnostics.append(
                    _diagnostic(ctx, fn, write, write.value, containers[write.value], "", fix_op)
                )
            elif write.value in imported:
                imp = imported[write.value]
                diag = _diagnostic(ctx, fn, write, write.value, _DESC, f"{'.' * imp.level}{imp.module}", fix_op)
                pending.append((imp.module, imp.level, imp.name, diag, direct_attr))
            else:  # a class attribute
                attr = write.value.rsplit(".", 1)[-1]
                desc = cls_attrs.get(attr)
                if desc is not None and not (direct_attr and _builtin(desc)):
                    ctx.facts.diagnostics.append(_diagnostic(ctx, fn, write, write.value, desc, "class", fix_op))
    if pending:
        data = ctx.facts.rule_data.setdefault(CODE, {})
        assert isinstance(data, dict)
        data["pending"] = pending


def _resets_to_initial(ctx: FileContext, write: Write) -> bool:
    """The write puts the container back as the module built it: ``ERRORS.clear()`` on ``ERRORS = []``,
    ``COUNTER["n"] = 0`` on ``COUNTER = {"n": 0}`` (a test resetting what the code under test fills).
    Not when the module body fills the container after binding it: then the reset empties it."""
    name, stmt, node = write.value, write.stmt, write.node
    bound = ctx.module_globals.get(name)
    if bound is None or stmt is None or write.via:
        return False
    if isinstance(node, ast.Call):  # ``NAME.clear()``
        func = node.func
        if not (
            isinstance(func, ast.Attribute) and func.attr == "clear" and not node.args and not node.keywords
            and isinstance(func.value, ast.Name) and func.value.id == name and _empty(ctx, bound)
        ):  # fmt: skip
            return False
    elif isinstance(node, ast.Subscript):  # ``NAME["key"] = <the literal the module wrote>``
        if not (
            isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.targets[0] is node
            and isinstance(node.value, ast.Name) and node.value.id == name and isinstance(bound, ast.Dict)
            and _same_constant(node.slice, stmt.value, bound)
        ):  # fmt: skip
            return False
    else:
        return False
    return not _filled_at_import(ctx, name)


def _empty(ctx: FileContext, bound: ast.expr) -> bool:
    if isinstance(bound, (ast.List, ast.Set)):
        return not bound.elts
    if isinstance(bound, ast.Dict):
        return not bound.keys
    if isinstance(bound, ast.Call) and not bound.keywords:
        last = (ctx.qualify(bound.func) or "").rsplit(".", 1)[-1]
        return last in ("list", "dict", "set", "OrderedDict", "Counter", "deque") and not bound.args or (
            last == "defaultdict" and len(bound.args) <= 1
        )
    return False


def _same_constant(key: ast.expr, value: ast.expr, bound: ast.Dict) -> bool:
    if not isinstance(key, ast.Constant) or not isinstance(value, ast.Constant):
        return False
    for k, v in zip(bound.keys, bound.values):
        if isinstance(k, ast.Constant) and type(k.value) is type(key.value) and k.value == key.value:
            return isinstance(v, ast.Constant) and type(v.value) is type(value.value) and v.value == value.value
    return False


def _filled_at_import(ctx: FileContext, name: str) -> bool:
    """Whether a module-level statement other than the binding names ``name`` (it may fill the container)."""
    count = 0
    word = re.compile(rf"\b{re.escape(name)}\b")
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            continue
        if word.search(ctx.segment(stmt)):
            count += 1
            if count > 1:
                return True
    return False


_BUILTIN_DESCS = frozenset({*MUTABLE_CONSTRUCTORS.values(), "a dict", "a list", "a set"})


def _builtin(desc: str) -> bool:
    """A builtin container (or a deserializer's): it takes no attributes."""
    return desc in _BUILTIN_DESCS or desc.startswith("the result of ")


def _direct_attribute(write: Write) -> bool:
    """An attribute written on the container itself (``HANDLERS.owner = x``), not on one of its members."""
    node = write.node
    if isinstance(node, ast.AugAssign):
        node = node.target
    return isinstance(node, ast.Attribute) and alias_key(node.value) is not None


# ``mod.NAME``: the dot first, a literal the engine finds fast (a look-behind costs 30 times as
# much); the character before it is checked apart
_MODULE_CONSTANT = re.compile(r"\.[A-Z][A-Z0-9_]+\b")


_SET_UPS = frozenset({"setUp", "setup_method", "setup", "setUpClass", "setup_class"})


def _set_up_bindings(classes: dict[str, ast.ClassDef], names: set[str]) -> dict[str, dict[str, str]]:
    """``self.x = X`` in ``setUp``/``setup_method`` (X a module container or import): class -> {"self.x": X}."""
    found: dict[str, dict[str, str]] = {}
    for qualname, node in classes.items():
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or stmt.name not in _SET_UPS:
                continue
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id in names
                    and len(inner.targets) == 1
                ):
                    key = alias_key(inner.targets[0])
                    if key is not None and key.split(".")[0] in ("self", "cls"):
                        found.setdefault(qualname, {})[key] = inner.value.id
    return found


def _class_like(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


def _written(name: str, text: str) -> bool:
    """Whether ``text`` may write to ``name`` or alias it: a textual pre-check, loose on purpose.

    Each occurrence of ``name`` (at a word start) is judged by what surrounds it: followed by
    ``[``, ``.attr =``, an augmented assignment or a method call, or preceded by ``=``, ``in``,
    ``del``, ``(`` or ``,``. ``str.find`` and patterns compiled once: no pattern per name.
    """
    return bool(_written_at(name, text, first=True))


def _written_at(name: str, text: str, first: bool = False) -> list[int]:
    """The offsets of the occurrences of ``name`` in ``text`` that ``_written`` accepts (only the
    first one when ``first``), in order."""
    found: list[int] = []
    size = len(name)
    start = text.find(name)
    while start >= 0:
        end = start + size
        if (start == 0 or not _word_char(text[start - 1])) and _write_around(text, start, end):
            found.append(start)
            if first:
                break
        start = text.find(name, end)
    return found


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


_AFTER_WRITE = re.compile(r"\s*(?:\[|\.\w+\s*(?:=[^=]|[-+*/|&^%@]=)|[-+*/|&^%@]=|\.\w+\()")
_AFTER_ASSIGNED = re.compile(r"\s*(?:$|[\[.;#)])", re.MULTILINE)
_AFTER_ARGUMENT = re.compile(r"\s*[,)]")


def _write_around(text: str, start: int, end: int) -> bool:
    if _AFTER_WRITE.match(text, end):
        return True
    before = text[max(0, start - 80) : start].rstrip()
    last = before[-1:]
    if last == "=":  # ``alias = NAME``
        return _AFTER_ASSIGNED.match(text, end) is not None
    if last in ("(", ","):  # ``f(NAME)``, ``(a, NAME)``
        return _AFTER_ARGUMENT.match(text, end) is not None
    words = before.rsplit(None, 1)
    return bool(words) and words[-1] in ("in", "del")  # ``for x in NAME``, ``del NAME``


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = fn.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    return names | {a.arg for a in (args.vararg, args.kwarg) if a is not None}


def _reset_elsewhere(value: str, teardown: set[str], cls_short: str) -> bool:
    """A setup/teardown function or an autouse fixture touches the container: reset for each test."""
    if value.startswith("\0mod\0"):
        return False
    if "." in value:  # Class.attr
        attr = value.rsplit(".", 1)[-1]
        return any(f"{r}.{attr}" in teardown for r in ("self", "cls", cls_short))
    return value in teardown


def _decorator_patched(ctx: FileContext, fn: Function) -> set[str]:
    """``@mock.patch.dict(X, ...)`` on the test: X is restored after it."""
    found: set[str] = set()
    for dec in fn.node.decorator_list:
        if isinstance(dec, ast.Call) and (ctx.qualify(dec.func) or "").endswith("patch.dict") and dec.args:
            first = dec.args[0]
            if isinstance(first, ast.Name):
                found.add(first.id)
    return found


def _diagnostic(
    ctx: FileContext, fn: Function, write: Write, name: str, desc: str, where: str, setitem: FixOp | None
) -> Diagnostic:
    """``where``: "" for a container of this module, "class" for a class attribute, else the module imported from."""
    label = f"test '{fn.node.name}'" if fn.test is not None else f"fixture '{fn.fixture.name}'" if fn.fixture else ""
    if where == "class":
        subject, target, key = f"class attribute '{name}' ({desc} every instance shares)", "class", name
    elif where:
        subject, target = f"module-level '{name}' ({desc}, from {where})", "module"
        key = f"{where.lstrip('.')}.{name}" if where.lstrip(".") else name
    else:
        subject, target = f"module-level '{name}' ({desc})", "module"
        key = f"{os.path.splitext(os.path.basename(ctx.path))[0]}.{name}"
    span = ctx.span(write.node)
    return Diagnostic(
        ctx.path, span.line, span.col, CODE, f"{label} mutates {subject}: {write.what}",
        span.end_line, span.end_col, _fix(ctx, fn, write, setitem),
        fixture=name, scope=target, owner=fn.qualname, owner_kind="test" if fn.test is not None else "fixture",
        target=target, target_key=key,
        fix_title="copy it first (copy.deepcopy), patch it (monkeypatch.setitem, mock.patch.dict) or restore it in finally",
    )  # fmt: skip


# fixes ---------------------------------------------------------------------------------
def _single_item_write(write: Write) -> ast.Assign | None:
    stmt = write.stmt
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and stmt.targets[0] is write.node
        and isinstance(write.node, ast.Subscript)
        and not isinstance(write.node.slice, ast.Slice)
        and stmt.lineno == stmt.end_lineno
    ):
        return None
    base = write.node.value
    if isinstance(base, ast.Name) or (isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name)):
        return stmt
    return None


def _can_take_monkeypatch(ctx: FileContext, fn: Function) -> bool:
    if fn.fixture is not None and fn.fixture.scope != "function":
        return False
    if "monkeypatch" in local_names(fn.node) and "monkeypatch" not in {a.arg for a in fn.node.args.args}:
        return False
    if fn.cls:
        for cls in _class_chain(ctx, fn.cls):
            if cls.bases or cls.keywords:  # unittest.TestCase and friends cannot request fixtures
                return False
    if ctx.runs_under_hypothesis(fn.node):
        return False
    return True


def _class_chain(ctx: FileContext, qualname: str) -> list[ast.ClassDef]:
    nodes = class_nodes(ctx.tree)
    parts = qualname.split(".")
    return [nodes[".".join(parts[: i + 1])] for i in range(len(parts)) if ".".join(parts[: i + 1]) in nodes]


def _segment(ctx: FileContext, stmt: ast.stmt) -> str:
    return ctx.segment(stmt).strip()


def _occurrence(ctx: FileContext, fn: Function, stmt: ast.stmt) -> int:
    text = _segment(ctx, stmt)
    count = 0
    for node in own_nodes(fn.node):
        if node is stmt:
            return count
        if isinstance(node, ast.stmt) and node.lineno == node.end_lineno and _segment(ctx, node) == text:
            count += 1
    return count


def _setitem_op(ctx: FileContext, fn: Function, writes: list[Write], restored: set[str]) -> FixOp | None:
    """One op per function: every single-item write becomes ``monkeypatch.setitem(...)``."""
    if not _can_take_monkeypatch(ctx, fn):
        return None
    args: list[tuple[str, str]] = [("func", fn.qualname)]
    i = 0
    for write in writes:
        stmt = _single_item_write(write)
        if stmt is None or write.value in restored:
            continue
        target = write.node
        assert isinstance(target, ast.Subscript)
        call = (
            f"monkeypatch.setitem({ast.unparse(target.value)}, {ctx.segment(target.slice)}, "
            f"{ctx.segment(stmt.value)})"
        )
        args += [(f"stmt{i}", _segment(ctx, stmt)), (f"occurrence{i}", str(_occurrence(ctx, fn, stmt))), (f"call{i}", call)]
        i += 1
    return FixOp(ctx.path, "slk203-setitem", tuple(args)) if i else None


def _fix(ctx: FileContext, fn: Function, write: Write, setitem: FixOp | None) -> Fix | None:
    if setitem is not None and _single_item_write(write) is not None:
        return Fix("safe", "Use monkeypatch.setitem() and request the monkeypatch fixture", (setitem,))
    stmt = write.via_stmt
    if (
        write.via
        and isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == write.via
        and stmt.lineno == stmt.end_lineno
    ):
        op = FixOp(
            ctx.path,
            "slk203-copy-alias",
            (("func", fn.qualname), ("stmt", _segment(ctx, stmt)), ("occurrence", str(_occurrence(ctx, fn, stmt)))),
        )
        return Fix("unsafe", f"Deep-copy where '{write.via}' is bound", (op,))
    return None


# across files ------------------------------------------------------------------------------
def check_project(project: Project, settings: object) -> Iterator[Diagnostic]:
    for facts in project.facts.values():
        data = facts.rule_data.get(CODE)
        if not isinstance(data, dict):
            continue
        for module, level, name, diag, direct_attr in data.get("pending", ()):
            target = project.find_module(module, facts.path, level)
            if target is None or os.path.samefile(target, facts.path):
                continue
            target_facts = project.get(target)
            found = target_facts.rule_data.get(CODE) if target_facts is not None else None
            containers = found.get("containers", {}) if isinstance(found, dict) else {}
            if name in containers and not (direct_attr and _builtin(containers[name])):
                yield replace(diag, message=diag.message.replace(_DESC, containers[name]))
