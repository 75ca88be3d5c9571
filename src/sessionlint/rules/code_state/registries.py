"""Registries and shared instances of first-party modules (SLK605, SLK604's accessors).

The summary side (``summarize_registries``, called once from ``summary.summarize``) records,
per first-party module:

- ``containers``: module-level names bound to a mutable container (dict/list/set display or
  constructor);
- ``fills``: module-level functions that write an argument into one of them
  (``_PLUGINS[name] = plugin``, ``.append``/``.add``/``.setdefault``/``.update``/``.extend``/
  ``.insert``), directly or through one function of the module they call;
- ``resets``: the functions that remove from or reset a container (``pop``, ``del``,
  ``clear``, ``remove``, ``discard``, a ``global`` rebinding);
- ``keys``: the keys the module registers itself at import (a dict display's literal keys,
  a module-level ``register("name", ...)`` call, a decorator ``@register`` on a module-level
  class whose key is its ``__name__``): registering one again changes nothing;
- ``accessors``: functions that return the module's one instance of a class of the module
  (``_registry = Registry()`` then ``def get_registry(): return _registry``, or created lazily
  through ``global``), with the state of that instance (``classes.shared_instance_state``).

Precision first: a function that returns what it reads from the container (a memo:
``return _cache.setdefault(k, make(k))``) is no registry; a write of a value built from none
of the parameters (``_STATE["ready"] = True``) is not a registration; augmented assignments
(counters) are not fills. Only the functions whose text names a container or a ``global``
are walked (the text is searched first).

The tests' side and the join are in ``fills.py``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from sessionlint.context import FileContext, FunctionNode
from sessionlint.syntax import iter_nodes, own_nodes
from sessionlint.rules.code_state.classes import ClassState, shared_instance_state

if TYPE_CHECKING:
    from sessionlint.rules.code_state.summary import ModuleSummary

_FILLERS = frozenset({"append", "add", "setdefault", "update", "extend", "insert", "appendleft", "extendleft"})
_EMPTIERS = frozenset({"pop", "popitem", "remove", "discard", "clear", "popleft"})
_CONSTRUCTORS = frozenset({
    "dict", "list", "set", "collections.defaultdict", "collections.OrderedDict", "collections.deque",
})  # fmt: skip
_MAPPINGS = frozenset({"dict", "collections.defaultdict", "collections.OrderedDict"})
_DISPLAYS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


@dataclass
class Fill:
    container: str  # the module-level name filled
    line: int  # the line of the write
    what: str  # "sets _PLUGINS[name]", "calls _HOOKS.append()"
    key: int = -1  # the parameter that is the key (``_PLUGINS[name] = ...``), -1: none known
    key_name: bool = False  # the key is that parameter's ``__name__`` (``@register`` on a class)
    via: str = ""  # the module function that writes, when this one calls it


@dataclass
class Registries:
    containers: dict[str, int] = field(default_factory=dict)
    fills: dict[str, Fill] = field(default_factory=dict)
    resets: dict[str, frozenset[str]] = field(default_factory=dict)
    keys: dict[str, frozenset[str]] = field(default_factory=dict)
    accessors: dict[str, tuple[str, ClassState]] = field(default_factory=dict)  # function -> (global, state)
    mappings: frozenset[str] = frozenset()  # the containers that are dicts (``mock.patch.dict`` restores them)


def summarize_registries(ctx: FileContext, summary: ModuleSummary) -> Registries | None:
    """The registries and accessors of a first-party module, or None when it has neither."""
    found = Registries()
    lazy: dict[str, int] = {}  # ``_registry = None``: a global an accessor may create
    keys: dict[str, set[str]] = {}
    mappings: set[str] = set()
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, value = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, value = stmt.target.id, stmt.value
        else:
            continue
        if _is_container(ctx, value):
            found.containers[name] = stmt.lineno
            if isinstance(value, (ast.Dict, ast.DictComp)) or (isinstance(value, ast.Call) and ctx.qualify(value.func) in _MAPPINGS):
                mappings.add(name)
            else:
                mappings.discard(name)
            if isinstance(value, ast.Dict):
                keys[name] = {k.value for k in value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(value, ast.Constant) and value.value is None:
            lazy[name] = stmt.lineno
        else:
            found.containers.pop(name, None)
            lazy.pop(name, None)
    functions = {
        stmt.name: stmt for stmt in ctx.tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if not functions or not (found.containers or summary.instances or lazy):
        return None
    wanted = set(found.containers) | set(summary.instances) | set(lazy)
    words = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, sorted(wanted))))
    starts = ctx.line_starts()
    for name, fn in functions.items():
        text = ctx.text[starts[fn.lineno - 1] : starts[min(fn.end_lineno or fn.lineno, len(starts) - 1)]]
        if not words.search(text):
            continue
        fill, resets, accessor = _function(ctx, fn, found.containers, summary.instances, lazy)
        if fill is not None:
            found.fills[name] = fill
        if resets:
            found.resets[name] = frozenset(resets)
        if accessor is not None:
            state = shared_instance_state(ctx, accessor[1], f"{name}()")
            if state is not None:
                found.accessors[name] = (accessor[0], state)
    # one call further: ``register`` calls ``_add``, which fills (and resets nothing)
    for name in functions:
        if name in found.fills or name in found.resets:
            continue
        own = summary.functions.get(name)
        # a parameter that defaults to None registers only when given (jsonschema's
        # ``create(meta_schema, version=None)`` registers under ``version`` only if there is one)
        optional = _optional(functions[name])
        for callee in own.calls if own is not None else ():
            inner = found.fills.get(callee)
            # a caller that hands none of its own parameters on registers the same entries on every
            # call (kombu's ``_register_default_types()``, run at import too): no registration of the test's
            if inner is not None and not inner.via and any(
                c == callee and own.params[i] not in optional for c, _pos, i in own.passes if i < len(own.params)
            ):
                # the key passes through when the caller hands its own parameter on at the key's place
                key = next((i for c, pos, i in own.passes if c == callee and pos == str(inner.key)), -1)
                found.fills[name] = Fill(inner.container, inner.line, inner.what, key, inner.key_name and key >= 0, callee)
                break
    for stmt in ctx.tree.body:  # what the module registers itself, at import
        _module_keys(stmt, found.fills, keys)
    found.keys = {name: frozenset(k) for name, k in keys.items() if k}
    found.mappings = frozenset(mappings & set(found.containers))
    if not (found.fills or found.accessors):
        return None
    return found


def _is_container(ctx: FileContext, value: ast.expr) -> bool:
    if isinstance(value, _DISPLAYS):
        return True
    return isinstance(value, ast.Call) and ctx.qualify(value.func) in _CONSTRUCTORS


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in iter_nodes(node) if isinstance(n, ast.Name)}


def _function(
    ctx: FileContext, fn: FunctionNode, containers: dict[str, int], instances: dict[str, str], lazy: dict[str, int]
) -> tuple[Fill | None, set[str], tuple[str, str] | None]:
    """(what it fills, what it empties or rebinds, (global, class) when it is an accessor)."""
    params: list[str] = []
    declared: set[str] = set()
    stored: set[str] = set()
    for node in iter_nodes(fn):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            params += [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
        elif isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stored.add(node.id)
    local = (stored | set(params)) - declared
    own = [p for p in (*fn.args.posonlyargs, *fn.args.args)]
    index = {a.arg: i for i, a in enumerate(own)}
    fills: list[Fill] = []
    resets: set[str] = {name for name in declared & stored if name in containers}
    returns: list[ast.expr | None] = []
    created: dict[str, str] = {}  # global -> the class of the module the function binds it to
    classes = _classes(ctx)
    top = _params(fn)
    reads: set[str] = set()  # containers the function looks up (``X[k]``, ``k in X``, ``X.get(k)``)
    generator = False  # a context manager or generator: what it registers it can take back after ``yield``
    for node, scope in _scoped(fn):
        if isinstance(node, (ast.Yield, ast.YieldFrom)) and scope is None:
            generator = True
        elif isinstance(node, ast.Return):
            if scope is None:  # the function's own returns, not a nested function's
                returns.append(node.value)
            continue
        param_set = top if scope is None else scope
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    name = target.value.id
                    if isinstance(target.slice, ast.Slice):
                        if name in containers and name not in local:
                            resets.add(name)  # ``_hooks[:] = ...``: replaced wholesale
                    elif name in containers and name not in local and _names(node.value) & param_set:
                        key, key_name = _key(target.slice, index)
                        fills.append(Fill(name, node.lineno, f"sets {name}[{_short(target.slice)}]", key, key_name))
                elif isinstance(target, ast.Name) and target.id in declared and isinstance(node.value, ast.Call):
                    func = node.value.func
                    if isinstance(func, ast.Name) and func.id in classes:
                        created[target.id] = func.id
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name):
            reads.add(node.value.id)
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            if isinstance(node.comparators[0], ast.Name):
                reads.add(node.comparators[0].id)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    if target.value.id in containers and target.value.id not in local:
                        resets.add(target.value.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if not isinstance(func.value, ast.Name) or func.value.id not in containers or func.value.id in local:
                continue
            name = func.value.id
            if func.attr == "get":
                reads.add(name)
            elif func.attr in _EMPTIERS:
                resets.add(name)
            elif func.attr in _FILLERS and any(
                _names(a) & param_set
                # ``setdefault(key, {})`` with a value built from no parameter keeps a memo's per-key
                # table (chardet's ``_ENCODABLE.setdefault(codec, {})``), not a registration
                for a in ((*node.args[1:2], *(k.value for k in node.keywords)) if func.attr == "setdefault" else (*node.args, *(k.value for k in node.keywords)))
            ):
                key, key_name = (-1, False)
                if func.attr == "setdefault" and node.args:
                    key, key_name = _key(node.args[0], index)
                fills.append(Fill(name, node.lineno, f"calls {name}.{func.attr}()", key, key_name))
    accessor = _accessor(returns, instances, lazy, created, local)
    # a memo returns what it keeps (``return _cache[key]``, ``return _cache.setdefault(...)``), or
    # looks its key up and returns something computed (``obj = _LOADED.get(name)`` ... ``return obj``):
    # no registry. A registration returns nothing, or what it was given (a decorator's ``cls``)
    memo = {n for value in returns if value is not None for n in _names(value)}
    if any(v is not None and not isinstance(v, ast.Constant) and not (isinstance(v, ast.Name) and v.id in top) for v in returns):
        memo |= reads
    fill = None if generator else next((f for f in fills if f.container not in resets and f.container not in memo), None)
    return fill, resets, accessor


def _optional(fn: FunctionNode) -> set[str]:
    """The parameters of ``fn`` that default to None."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults), *zip(args.kwonlyargs, args.kw_defaults)]
    return {a.arg for a, d in pairs if isinstance(d, ast.Constant) and d.value is None}


def _params(fn: FunctionNode | ast.Lambda) -> set[str]:
    args = fn.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def _scoped(fn: FunctionNode) -> Iterator[tuple[ast.AST, set[str] | None]]:
    """The nodes of ``fn`` with the parameters in scope where they are: ``fn``'s own (given as None,
    so its returns are told apart), and within a nested function (a decorator factory's ``deco(cls)``)
    the outer ones and its own. Lambdas and classes are not entered."""
    stack: list[tuple[FunctionNode, set[str] | None]] = [(fn, None)]
    while stack:
        current, inherited = stack.pop()
        own = _params(current) if inherited is None else inherited | _params(current)
        for node in own_nodes(current):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stack.append((node, own))
            elif not isinstance(node, (ast.Lambda, ast.ClassDef)):
                yield node, (None if current is fn else own)


def _classes(ctx: FileContext) -> set[str]:
    return {stmt.name for stmt in ctx.tree.body if isinstance(stmt, ast.ClassDef)}


def _accessor(
    returns: list[ast.expr | None], instances: dict[str, str], lazy: dict[str, int], created: dict[str, str], local: set[str]
) -> tuple[str, str] | None:
    """Every ``return`` hands out the same module global: one made at import (``instances``) or
    bound to ``Class()`` by this function under ``global`` (created lazily, once)."""
    names = {v.id if isinstance(v, ast.Name) else None for v in returns}
    if len(names) != 1:
        return None
    name = names.pop()
    if name is None or name in local:
        return None
    if name in instances and name not in created:
        return name, instances[name]
    if name in lazy and name in created:
        return name, created[name]
    return None


def _key(node: ast.expr, index: dict[str, int]) -> tuple[int, bool]:
    if isinstance(node, ast.Name) and node.id in index:
        return index[node.id], False
    if isinstance(node, ast.Attribute) and node.attr == "__name__" and isinstance(node.value, ast.Name):
        if node.value.id in index:
            return index[node.value.id], True
    return -1, False


def _short(node: ast.expr) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - only a label
        return "..."
    return text if len(text) <= 30 else "..."


def _module_keys(stmt: ast.stmt, fills: dict[str, Fill], keys: dict[str, set[str]]) -> None:
    """Keys registered at import: ``register("csv", CsvPlugin)``, ``@register`` on a class."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name):
        fill = fills.get(stmt.value.func.id)
        if fill is not None and not fill.key_name and 0 <= fill.key < len(stmt.value.args):
            arg = stmt.value.args[fill.key]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                keys.setdefault(fill.container, set()).add(arg.value)
    elif isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        for dec in stmt.decorator_list:
            if isinstance(dec, ast.Name) and dec.id in fills and fills[dec.id].key_name and fills[dec.id].key == 0:
                keys.setdefault(fills[dec.id].container, set()).add(stmt.name)
