"""Hand-written memos of first-party modules (SLK601), beside ``summary.py``'s ``lru_cache``:
a module global bound once to ``None`` (or another false constant: a lazy singleton) or to an
empty dict, which a module-level function fills only under a guard about that same global
(``if key not in _cache:``, ``if _settings is None:``, ``try: return _cache[key]`` / ``except
KeyError:``); and ``words``, the names a test-side file can reset such a global by.
"""

from __future__ import annotations

import ast
import re
from itertools import chain
from typing import TYPE_CHECKING

from sessionlint.context import FileContext, FunctionNode
from sessionlint.syntax import iter_nodes

if TYPE_CHECKING:
    from sessionlint.rules.code_state.summary import FuncSummary


_ATTRIBUTE = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")
_QUOTED = (re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'"), re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"'))


def words(ctx: FileContext) -> str:
    """The names a test-side file can use for another module's global or function, as one string
    " w1 w2 ... ": words after a dot (``config._settings = None``, ``"app.config._cache"``,
    ``config.reset_settings()``), quoted identifiers (``monkeypatch.setattr(config, "_settings",
    None)``) and the names it imports (``from app.config import _cache, reset_settings``). SLK601
    asks it whether the file names a hand-written memo global or a function that resets it (a
    reset by any means). Generous on purpose (comments count): a name found only silences. Three
    scans of the text with a literal first character: a few percent of a parse."""
    text = ctx.text
    found = set(_ATTRIBUTE.findall(text))
    for pattern in _QUOTED:
        found.update(pattern.findall(text))
    for name, q in ctx.aliases.items():
        found.add(name)
        found.add(q.rpartition(".")[2])
    return f" {' '.join(sorted(found))} "


# hand-written memos ------------------------------------------------------------------------
_DICT_FACTORIES = frozenset({"dict", "collections.OrderedDict", "collections.defaultdict"})


def memo_candidates(ctx: FileContext, assigns: list) -> dict[str, str]:
    """Module globals that may keep a hand-written memo: bound once at top level, to ``None`` or
    another false constant (a lazy singleton: the repr of that value) or to an empty dict (``{}``,
    ``dict()``, ``OrderedDict()``, ``defaultdict(...)``: "dict")."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for stmt in assigns:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            name, value = target.id, stmt.value
            if name in seen:
                found.pop(name, None)  # bound again at top level: not one memo
                continue
            seen.add(name)
            if len(targets) != 1:
                continue
            if isinstance(value, ast.Constant) and not value.value and not isinstance(value.value, bytes):
                found[name] = repr(value.value)  # None, "", False, 0: filled on first use (``if not _version:``)
            elif isinstance(value, ast.Dict) and not value.keys:
                found[name] = "dict"
            elif isinstance(value, ast.Call) and not value.keywords:
                q = ctx.qualify(value.func) or ""
                if q in _DICT_FACTORIES and (not value.args or q == "collections.defaultdict"):
                    found[name] = "dict"
    return found


def memo_writes(
    summary: FuncSummary, node: FunctionNode, touched: list[ast.AST], memos: dict[str, str], declared: set[str],
    local: set[str], memoizes: bool = True,
) -> None:
    """Which memo globals the function writes, and whether it memoizes into one of them: it fills
    the global only under a guard about that global (``if _settings is None:``, ``if key not in
    _cache:``, ``_cache.get(key) is None``, ``try: return _cache[key] / except KeyError:``, or
    ``_settings = _settings or make()``). A global filled unconditionally is plain state."""
    written: set[str] = set()
    for inner in touched:
        if inner.__class__ is ast.Name:
            if inner.id in declared:  # type: ignore[attr-defined]
                written.add(inner.id)  # type: ignore[attr-defined]
            continue
        value = inner.value if inner.__class__ is ast.Subscript else inner.func.value  # type: ignore[attr-defined]
        if value.id not in local:
            written.add(value.id)
    if not written:
        return
    if memoizes and not summary.memo:
        for name in sorted(written):
            if _fills_under_guard(node.body, name, memos[name]):
                summary.memo = True
                summary.memo_global = name
                break
    summary.resets = frozenset(written - {summary.memo_global})


def _fills_under_guard(body: list[ast.stmt], name: str, kind: str) -> bool:
    guarded: list[bool] = []
    blocks: list[tuple[list[ast.stmt], bool]] = [(body, False)]
    fetched: set[str] = set()  # locals bound to ``_cache.get(key)``: ``if found is None:`` guards
    while blocks:
        stmts, inside = blocks.pop()
        after = False  # past a guard whose branch returns: ``if key in _cache: return _cache[key]``
        for stmt in stmts:
            under = inside or after
            if isinstance(stmt, ast.Assign) and _memo_get(stmt.value, name):
                fetched.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
                continue
            if isinstance(stmt, ast.If) and (_guards(stmt.test, name, kind) or any(_guards(stmt.test, f, "lazy") for f in fetched)):
                blocks += [(stmt.body, True), (stmt.orelse, True)]
                after = after or _exits(stmt.body) or _exits(stmt.orelse)
                continue
            if isinstance(stmt, ast.Try) and kind == "dict" and _try_guard(stmt, name):
                blocks += [(b, True) for b in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody)]
                after = after or _exits(stmt.body)
                continue
            fill = _fill(stmt, name)
            if fill == "reset" and kind != "dict":
                return False  # a flag (``_loading = True`` ... ``_loading = False``, ``_warned = True``)
            if fill and fill != "reset":
                guarded.append(under or fill == "or")
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for field_name in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(stmt, field_name, None)
                if field_name == "handlers" and inner:
                    blocks += [(h.body, under) for h in inner]
                elif inner and isinstance(inner, list) and isinstance(inner[0], ast.stmt):
                    blocks.append((inner, under))
            if isinstance(stmt, ast.Match):
                blocks += [(case.body, under) for case in stmt.cases]
    return bool(guarded) and all(guarded)


def _is_name(node: ast.AST, name: str) -> bool:
    return node.__class__ is ast.Name and node.id == name  # type: ignore[attr-defined]


def _fill(stmt: ast.stmt, name: str) -> str:
    """Whether ``stmt`` stores into the memo: "or" for ``_x = _x or make()`` (a guard of its own),
    "reset" for a constant (``_x = None``, a once-flag's ``_done = True``)."""
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        value = stmt.value
        for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
            if _is_name(target, name) and isinstance(value, ast.Constant):
                return "reset"  # ``_x = None``; ``_warned = True``: a once-flag keeps no result
            if _is_name(target, name):
                if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or) and _is_name(value.values[0], name):
                    return "or"
                return "set"
            if isinstance(target, ast.Subscript) and _is_name(target.value, name):
                return "set"
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and func.attr in ("setdefault", "update") and _is_name(func.value, name):
            return "set"
    return ""


def _guards(test: ast.expr, name: str, kind: str) -> bool:
    """Whether an ``if`` test is about the memo global ``name``."""
    for inner in iter_nodes(test):
        if _is_name(inner, name) and inner is test:
            return True  # ``if _settings:``
        if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.Not) and _is_name(inner.operand, name):
            return True  # ``if not _settings:``
        if isinstance(inner, ast.BoolOp) and any(_is_name(v, name) for v in inner.values):
            return True
        if isinstance(inner, ast.Compare) and len(inner.ops) == 1:
            op, right = inner.ops[0], inner.comparators[0]
            if isinstance(op, (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant) and right.value is None:
                if _is_name(inner.left, name) or _memo_get(inner.left, name):
                    return True  # ``_settings is None``, ``_cache.get(key) is None``
            if kind == "dict" and isinstance(op, (ast.In, ast.NotIn)) and _is_name(right, name):
                return True  # ``key not in _cache``
        if kind == "dict" and _memo_get(inner, name) and (inner is test or isinstance(test, (ast.UnaryOp, ast.NamedExpr))):
            return True  # ``if not _cache.get(key):``
        if isinstance(inner, ast.NamedExpr) and _memo_get(inner.value, name):
            return True  # ``if (found := _cache.get(key)) is None:``
    return False


def _memo_get(node: ast.AST, name: str) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
        and _is_name(node.func.value, name)
    )  # fmt: skip


def _try_guard(stmt: ast.Try, name: str) -> bool:
    """``try: return _cache[key]`` / ``except KeyError:``."""
    caught = False
    for handler in stmt.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        caught = caught or any(isinstance(k, ast.Name) and k.id in ("KeyError", "LookupError") for k in kinds)
    if not caught:
        return False
    return any(
        isinstance(inner, ast.Subscript) and _is_name(inner.value, name) and isinstance(inner.ctx, ast.Load)
        for inner in chain.from_iterable(map(iter_nodes, stmt.body))
    )  # fmt: skip


def _exits(block: list[ast.stmt]) -> bool:
    """Whether a guarded branch leaves with what it found (``return _cache[key]``): a branch that
    raises (``if key in _registry: raise ...``) guards a registry against duplicates, not a memo."""
    return bool(block) and isinstance(block[-1], (ast.Return, ast.Continue))
