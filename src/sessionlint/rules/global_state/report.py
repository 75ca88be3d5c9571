"""SLK301 diagnostics and the fix operations they carry."""

from __future__ import annotations

import ast

from sessionlint.context import FileContext, Function, FunctionNode
from sessionlint.model import BROAD_SCOPES, Diagnostic, Fix, FixOp
from sessionlint.rules.global_state.events import Event, _simple_statements
from sessionlint.syntax import walk_own
from sessionlint.rules.global_state.names import _FileNames
from sessionlint.rules.global_state.scan import _Scan
from sessionlint.rules.global_state.targets import CODE

# --------------------------------------------------------------------------------------------
# diagnostics and fixes


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


def _diagnostic(ctx: FileContext, fn: Function, event: Event, wrap_op, mp_ops: dict) -> Diagnostic:
    broad = _broad(fn)
    mp = "mp" if broad else "monkeypatch"
    advice = event.advice.replace("{mp}", mp)
    if broad and "{mp}" in event.advice:
        advice += " inside `with pytest.MonkeyPatch.context() as mp:` around the yield"
    tail = "restores it only if the test passes" if event.fragile else "never restores it"
    message = f"{_owner_label(fn)} {event.what}" + ("" if event.what.endswith("cannot be undone") else f" and {tail}")
    if event.fragile:
        advice = f"{advice}; or put it back in a finally block"
    fix = None
    if event.call and event.stmt is not None:
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
    return Diagnostic(
        ctx.path, span.line, span.col, CODE, message, span.end_line, span.end_col, fix,
        fixture=fixture.name if fixture else "", scope=(fixture.scope or "") if fixture else "",
        defined=f"{ctx.path}:{fixture.span.line}" if fixture else "", owner=fn.qualname,
        owner_kind="test" if fn.test is not None else "fixture" if fixture is not None else "",
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
    for dec in fn.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        qual = ctx.qualify(target) or ""
        if qual.split(".")[-1] == "given" or qual.startswith("hypothesis"):
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
    text = _normal(names.segment(stmt))
    count = 0
    for other in _simple_statements(fn.body):
        if other is stmt:
            return count
        if _normal(names.segment(other)) == text:
            count += 1
    return count


def _normal(code: str) -> str:
    return code.strip().rstrip(";").strip()


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
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | scan.params
    mp = next(name for name in ("mp", "mpatch", "_mp", "_monkeypatch") if name not in used)
    args: list[tuple[str, str]] = [("func", fn.qualname), ("mp", mp), ("return", convert)]
    args += _rewrite_args(scan.names, node, fixable)
    return FixOp(ctx.path, "slk301-mp-context", tuple(args))
