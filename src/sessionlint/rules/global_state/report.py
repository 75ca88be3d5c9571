"""SLK301 diagnostics and the fix operations they carry."""

from __future__ import annotations

import ast

from sessionlint.context import FileContext, Function, FunctionNode
from sessionlint.model import BROAD_SCOPES, Diagnostic, Fix, FixOp
from sessionlint.rules.global_state.events import Event, _simple_statements
from sessionlint.syntax import iter_nodes, normal_statement, walk_own
from sessionlint.rules.global_state.names import _FileNames
from sessionlint.rules.global_state.scan import _Scan
from sessionlint.rules.global_state.targets import CODE
from sessionlint.rules.global_state.verdicts import _Extra

# --------------------------------------------------------------------------------------------
# diagnostics and fixes


def _cleanup_ops(ctx: FileContext, fn: Function, scan: _Scan, leaks: list[Event], names: _FileNames, extra) -> dict:
    """Fixes for writes in unittest methods and xunit module setups, keyed by ``id(event)``; the marker
    key ``"unittest"`` says the owner is a unittest method (where monkeypatch cannot be requested).

    - a unittest test or ``setUp``: ``self.addCleanup(...)`` registered just before the write (stdlib
      only, any Python): safe for os.environ items and os.chdir, unsafe for attributes (the saved
      value is read before the write: an attribute that does not exist yet raises);
    - ``setup_module``: becomes a module-scoped autouse fixture whose writes go through
      ``pytest.MonkeyPatch.context()``: unsafe (it now runs among the fixtures, in their order).
    """
    found: dict = {}
    in_unittest = bool(fn.cls) and any(c in names.unittest_classes for c in _class_prefixes(fn.cls or ""))
    setup = extra is not None and extra.kind == "setup"
    if in_unittest and (fn.test is not None or (setup and extra.scope == "function")):
        found["unittest"] = True
        args = fn.node.args.posonlyargs + fn.node.args.args
        me = args[0].arg if args else None
        if me is None or names.aliases.get("os") != "os":
            return found
        for event in leaks:
            stmt = event.stmt
            if stmt is None:
                continue
            fam, key = event.target
            code, safe = None, True
            if fam == "env" and key is not None and event.call.startswith((".setenv(", ".delenv(")):
                k = f'"{key}"' if key.isprintable() and not any(c in key for c in "\\\"'") else repr(key)
                code = (
                    f"if {k} in os.environ:\n    {me}.addCleanup(os.environ.__setitem__, {k}, os.environ[{k}])\n"
                    f"else:\n    {me}.addCleanup(os.environ.pop, {k}, None)"
                )
            elif fam == "cwd" and event.call.startswith(".chdir("):
                code = f"{me}.addCleanup(os.chdir, os.getcwd())"
            elif fam == "attr" and isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute):
                target = stmt.targets[0]
                obj = names.segment(target.value)
                code, safe = f'{me}.addCleanup(setattr, {obj}, "{target.attr}", {obj}.{target.attr})', False
            if code is None:
                continue
            op = FixOp(ctx.path, "slk301-add-cleanup", (
                ("func", fn.qualname), ("stmt", names.segment(stmt)),
                ("occurrence", str(_occurrence(names, fn.node, stmt))), ("code", code),
            ))  # fmt: skip
            found[id(event)] = Fix("safe" if safe else "unsafe", f"Restore it with {me}.addCleanup(...)", (op,))
        return found
    if setup and extra.scope == "module" and fn.cls is None:
        node = fn.node
        fixable = [e for e in leaks if e.call and e.stmt is not None]
        params = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
        used = {n.id for n in iter_nodes(node) if isinstance(n, ast.Name)}
        if (
            not fixable or params & used or scan.yield_pos is not None
            or any(isinstance(n, ast.Return) for n in walk_own(node)) or node.decorator_list
        ):
            return found
        mp = next(name for name in ("mp", "mpatch", "_mp", "_monkeypatch") if name not in used)
        ops = (
            FixOp(ctx.path, "xunit-to-fixture", (("func", fn.qualname), ("scope", "module"))),
            FixOp(ctx.path, "slk301-mp-context", (
                ("func", fn.qualname), ("mp", mp), ("return", "append"), *_rewrite_args(names, node, fixable),
            )),
        )  # fmt: skip
        fix = Fix(
            "unsafe",
            f"Turn {node.name}() into a module-scoped autouse fixture that undoes its changes with "
            "pytest.MonkeyPatch.context()",
            ops,
        )
        for event in fixable:
            found[id(event)] = fix
    return found


def _owner_label(fn: Function) -> str:
    if fn.test is not None:
        return f"test '{fn.node.name}'"
    fixture = fn.fixture
    assert fixture is not None
    if fixture.scope is None:
        return f"fixture '{fixture.name}'"
    return f"fixture '{fixture.name}' ({fixture.scope}-scoped)"


def _broad(fn: Function) -> bool:
    return fn.fixture is not None and fn.fixture.scope in BROAD_SCOPES


def _diagnostic(
    ctx: FileContext, fn: Function, event: Event, wrap_op, mp_ops: dict, extra: _Extra | None = None,
    cleanup_ops: dict | None = None,
) -> Diagnostic:
    broad = _broad(fn)
    mp = "mp" if broad else "monkeypatch"
    advice = event.advice.replace("{mp}", mp)
    if broad and "{mp}" in event.advice:
        advice += " inside `with pytest.MonkeyPatch.context() as mp:` around the yield"
    label = _owner_label(fn) if extra is None else extra.label
    if extra is not None and extra.kind == "setup":
        teardown = {"module": "teardown_module()", "class": "teardown_class()"}.get(extra.scope, "the teardown")
        advice = f"undo it in {teardown} or with addCleanup(), or {advice}"
    elif extra is not None and extra.kind == "body":
        advice = "it runs when pytest imports the module; move it into a fixture that restores it"
    if fn.cls and fn.test is not None and cleanup_ops is not None and "unittest" in cleanup_ops:
        advice = "restore it with self.addCleanup(...) or mock.patch"
    tail = "restores it only if the test passes" if event.fragile else "never restores it"
    message = f"{label} {event.what}" + ("" if event.what.endswith("cannot be undone") else f" and {tail}")
    if event.fragile:
        advice = f"{advice}; or put it back in a finally block"
    fix = None
    if cleanup_ops and id(event) in cleanup_ops:
        fix = cleanup_ops[id(event)]
    elif event.call and event.stmt is not None:
        if broad:
            if wrap_op is not None:
                fix = Fix(
                    "unsafe",
                    "Undo the changes when the fixture ends: wrap its body in pytest.MonkeyPatch.context()",
                    (wrap_op,),
                )
        elif event.unsafe_call in mp_ops:
            method = event.call[1:].split("(", 1)[0]
            fix = Fix(
                "unsafe" if event.unsafe_call else "safe",
                f"Use monkeypatch.{method}() and request the monkeypatch fixture",
                (mp_ops[event.unsafe_call],),
            )
    span = ctx.span(event.node)
    fixture = fn.fixture
    scope = (fixture.scope or "") if fixture else extra.scope if extra is not None else ""
    return Diagnostic(
        ctx.path, span.line, span.col, CODE, message, span.end_line, span.end_col, fix,
        fixture=fixture.name if fixture else "", scope=scope,
        defined=f"{ctx.path}:{fixture.span.line}" if fixture else "", owner=fn.qualname,
        owner_kind="test" if fn.test is not None else "fixture" if fixture is not None else extra.kind if extra else "",
        target=str(event.target[0]), target_key=str(event.target[1] or ""), fix_title=advice,
    )  # fmt: skip


def _rewrite_args(names: _FileNames, node: FunctionNode, events: list[Event]) -> list[tuple[str, str]]:
    args: list[tuple[str, str]] = []
    for i, event in enumerate(events):
        assert event.stmt is not None
        args += [
            (f"stmt{i}", names.segment(event.stmt)),
            (f"occurrence{i}", str(_occurrence(names, node, event.stmt))),
            (f"call{i}", event.call),
        ]
        if event.attr:
            args.append((f"attr{i}", event.attr))
    return args


def _monkeypatch_ops(ctx: FileContext, fn: Function, scan: _Scan, leaks: list[Event], names: _FileNames) -> dict:
    """One op per function and applicability, rewriting all its writes of that kind in one go
    (each diagnostic carries the same op: repeated statements are all found by their original text)."""
    if _broad(fn) or not _can_add_monkeypatch(ctx, fn, names, scan):
        return {}
    ops = {}
    for unsafe in (False, True):
        events = [e for e in leaks if e.call and e.stmt is not None and e.unsafe_call == unsafe]
        if events:
            args = [("func", fn.qualname), *_rewrite_args(names, fn.node, events)]
            ops[unsafe] = FixOp(ctx.path, "slk301-monkeypatch", tuple(args))
    return ops


def _can_add_monkeypatch(ctx: FileContext, fn: Function, names: _FileNames, scan: _Scan) -> bool:
    if fn.fixture is not None and fn.fixture.scope != "function":
        return False
    if fn.cls and any(c in names.unittest_classes for c in _class_prefixes(fn.cls)):
        return False
    if ctx.runs_under_hypothesis(fn.node):
        return False
    if "monkeypatch" in scan.params:
        return True
    if "monkeypatch" in scan.locals or "monkeypatch" in scan.local_imports or "monkeypatch" in names.aliases:
        return False
    return not any(f.name == "monkeypatch" for f in ctx.facts.fixtures)


def _class_prefixes(cls: str) -> list[str]:
    parts = cls.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _occurrence(names: _FileNames, fn: FunctionNode, stmt: ast.stmt) -> int:
    """How many statements of ``fn`` before ``stmt`` read exactly like it."""
    text = normal_statement(names.segment(stmt))
    count = 0
    for other in _simple_statements(fn.body):
        if other is stmt:
            return count
        if normal_statement(names.segment(other)) == text:
            count += 1
    return count


def _wrap_op(ctx: FileContext, fn: Function, scan: _Scan, leaks: list[Event]) -> FixOp | None:
    """The one op that fixes every fixable write of a broad fixture (identical for all its diagnostics)."""
    if not _broad(fn):
        return None
    fixable = [e for e in leaks if e.call and e.stmt is not None]
    if not fixable:
        return None
    node = fn.node
    returns = [n for n in walk_own(node) if isinstance(n, ast.Return)]
    convert = ""
    if scan.yield_pos is None:
        last = node.body[-1] if node.body else None
        if not returns:
            convert = "append"  # returns None: yield None at the end
        elif len(returns) != 1 or returns[0] is not last:
            return None  # an early return would become a yield in the middle of the body
        else:
            convert = "1"
    used = {n.id for n in iter_nodes(node) if isinstance(n, ast.Name)} | scan.params
    mp = next(name for name in ("mp", "mpatch", "_mp", "_monkeypatch") if name not in used)
    args: list[tuple[str, str]] = [("func", fn.qualname), ("mp", mp), ("return", convert)]
    args += _rewrite_args(scan.names, node, fixable)
    return FixOp(ctx.path, "slk301-mp-context", tuple(args))
