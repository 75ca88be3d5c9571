"""Summaries of first-party (non-test) modules: one ``ast`` pass, picklable, cached with the facts.

A summary records, per module-level function: whether it is memoized
(``functools.lru_cache``/``cache``), what it reads (``os.environ`` keys,
module globals, attributes of imported modules), which functions it calls,
which of its parameters it writes into, and which caches it clears; and per
module: the names computed at import time from the environment, the clock,
the working directory or ``sys.argv``. A pydantic ``BaseSettings`` subclass
is recorded as a callable of the module that reads its variables
(``classes.py``).

Precision first: only what the syntax shows for certain is recorded. A
parameter that is rebound anywhere in the function (``data = dict(data)``)
is never said to be mutated; calls through ``getattr``, ``self`` or other
objects are not followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from sessionlint.context import FileContext, FunctionNode, dotted_parts
from sessionlint.mutations import AMBIGUOUS_METHODS, CONTAINER_METHODS
from sessionlint.syntax import from_import, iter_nodes
from sessionlint.rules.code_state.classes import ClassState, class_states, settings_classes

MEMO_DECORATORS = frozenset({"functools.lru_cache", "functools.cache"})
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "os.environ.__getitem__"})
CLOCK = frozenset({
    "time.time", "time.monotonic", "time.perf_counter", "time.localtime", "time.gmtime", "time.strftime",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
})  # fmt: skip
CWD = frozenset({"os.getcwd", "os.getcwdb", "pathlib.Path.cwd", "os.path.abspath"})


@dataclass
class FuncSummary:
    name: str
    line: int
    params: tuple[str, ...]
    memo: bool = False
    env: frozenset[str] = frozenset()  # os.environ keys read; "*" for a key not known
    globals: frozenset[str] = frozenset()  # module globals read
    attrs: frozenset[str] = frozenset()  # dotted reads through import aliases ("pkg.mod.NAME")
    calls: tuple[str, ...] = ()  # "fn" for functions of this module, else the qualified dotted name
    clears: frozenset[str] = frozenset()  # names whose cache_clear() it calls, as written (qualified)
    mutates: dict[int, tuple[str, int, bool]] = field(default_factory=dict)  # param -> (what, line, ambiguous)
    passes: tuple[tuple[str, str, int], ...] = ()  # (callee, position or keyword, own param index)


@dataclass
class ModuleSummary:
    path: str
    functions: dict[str, FuncSummary] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified ("." for relative)
    state: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)  # name -> (line, inputs)
    classes: dict[str, ClassState] = field(default_factory=dict)  # classes keeping shared state (SLK604)


def summarize(ctx: FileContext) -> ModuleSummary:
    summary = ModuleSummary(ctx.path, imports=_top_imports(ctx.tree))
    functions = {
        stmt.name: stmt for stmt in ctx.tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    # a pydantic settings class reads the environment when called: a callable of the module
    settings = settings_classes(ctx) if "Settings" in ctx.text else {}
    for name, (line, env) in settings.items():
        summary.functions[name] = FuncSummary(name, line, (), env=env)
    callables = set(functions) | set(settings)
    if "class " in ctx.text:
        summary.classes = class_states(ctx)
    for name, node in functions.items():
        summary.functions[name] = _function(ctx, node, callables)
    for stmt in ctx.tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            inputs = _inputs(ctx, stmt.value, summary.functions)
            if inputs:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    for node in iter_nodes(target):
                        if isinstance(node, ast.Name):
                            summary.state[node.id] = (stmt.lineno, inputs)
    return summary


def _top_imports(tree: ast.Module) -> dict[str, str]:
    found: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    found[alias.asname] = alias.name
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = from_import(stmt, alias.name)
    return found


def is_memo_decorator(ctx: FileContext, dec: ast.expr) -> bool:
    target = dec.func if isinstance(dec, ast.Call) else dec
    return ctx.qualify(target) in MEMO_DECORATORS


def _env_key(node: ast.expr | None) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "*"


def env_reads(ctx: FileContext, root: ast.AST) -> set[str]:
    """Keys of ``os.environ`` that ``root`` reads ("*": a key not known, or the whole mapping)."""
    keys: set[str] = set()
    used: set[int] = set()
    for node in iter_nodes(root):
        if isinstance(node, ast.Call):
            q = ctx.qualify(node.func)
            if q in ENV_GETTERS:
                keys.add(_env_key(node.args[0] if node.args else None))
                used.add(id(node.func))
                if isinstance(node.func, ast.Attribute):
                    used.add(id(node.func.value))
        elif isinstance(node, ast.Subscript) and ctx.qualify(node.value) == "os.environ":
            keys.add(_env_key(node.slice))
            used.add(id(node.value))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            if ctx.qualify(node.comparators[0]) == "os.environ":
                keys.add(_env_key(node.left))
                used.add(id(node.comparators[0]))
    for node in iter_nodes(root):
        if isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in used and ctx.qualify(node) == "os.environ":
            keys.add("*")
    return keys


def _inputs(ctx: FileContext, value: ast.expr, functions: dict[str, FuncSummary]) -> frozenset[str]:
    """What a module-level value is computed from at import time."""
    found = {f"env:{k}" for k in env_reads(ctx, value)}
    for node in iter_nodes(value):
        if isinstance(node, ast.Call):
            q = ctx.qualify(node.func)
            if q in CLOCK:
                found.add("clock")
            elif q in CWD:
                found.add("cwd")
            elif isinstance(node.func, ast.Name) and node.func.id in functions:
                found |= {f"env:{k}" for k in functions[node.func.id].env}
        elif isinstance(node, (ast.Attribute, ast.Name)) and ctx.qualify(node) == "sys.argv":
            found.add("argv")
    return frozenset(found)


def _locals(node: FunctionNode) -> set[str]:
    """Names the function binds (parameters, assignments, loops, imports...): not globals."""
    bound = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    for extra in (node.args.vararg, node.args.kwarg):
        if extra is not None:
            bound.add(extra.arg)
    declared: set[str] = set()
    for inner in iter_nodes(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            bound.add(inner.id)
        elif isinstance(inner, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in inner.names}
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and inner is not node:
            bound.add(inner.name)
        elif isinstance(inner, ast.Global):
            declared |= set(inner.names)
        elif isinstance(inner, ast.arg):
            bound.add(inner.arg)
    return bound - declared


def _function(ctx: FileContext, node: FunctionNode, module_functions: set[str]) -> FuncSummary:
    params = tuple(a.arg for a in (*node.args.posonlyargs, *node.args.args))
    summary = FuncSummary(node.name, node.lineno, params)
    summary.memo = any(is_memo_decorator(ctx, d) for d in node.decorator_list)
    local = _locals(node)
    qualify = ctx.qualify
    module_globals = set(ctx.module_globals)
    summary.env = frozenset(env_reads(ctx, node))
    reads: set[str] = set()
    attrs: set[str] = set()
    calls: list[str] = []
    clears: set[str] = set()
    for inner in (n for stmt in node.body for n in iter_nodes(stmt)):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
            if inner.id in module_globals and inner.id not in local:
                reads.add(inner.id)
        elif isinstance(inner, ast.Attribute):
            if inner.attr == "cache_clear":
                q = qualify(inner.value)
                clears.add(q if q else "*")
            found = dotted_parts(inner)
            if found and found[0] not in local and found[0] in ctx.aliases and isinstance(inner.ctx, ast.Load):
                q = qualify(inner)
                if q and q != "os.environ" and not q.startswith("os.environ."):
                    attrs.add(q)
        if isinstance(inner, ast.Call):
            if isinstance(inner.func, ast.Name) and inner.func.id not in local:
                if inner.func.id in module_functions:
                    calls.append(inner.func.id)
                elif inner.func.id in ctx.aliases:
                    calls.append(qualify(inner.func) or inner.func.id)
            elif isinstance(inner.func, ast.Attribute):
                found = dotted_parts(inner.func)
                if found and found[0] in ctx.aliases and found[0] not in local:
                    q = qualify(inner.func)
                    if q:
                        calls.append(q)
    summary.globals = frozenset(reads)
    summary.attrs = frozenset(attrs)
    summary.calls = tuple(dict.fromkeys(calls))
    summary.clears = frozenset(clears)
    summary.mutates, summary.passes = _param_writes(node, params, module_functions, ctx)
    return summary


def _rebound(node: FunctionNode) -> set[str]:
    names: set[str] = set()
    for inner in iter_nodes(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            names.add(inner.id)
        elif isinstance(inner, (ast.Global, ast.Nonlocal)):
            names |= set(inner.names)
    return names


def _subscript_root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _describe_key(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return repr(node.value)
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001 - only a label
        return "..."
    return text if len(text) <= 30 else "..."


def _param_writes(
    node: FunctionNode, params: tuple[str, ...], module_functions: set[str], ctx: FileContext
) -> tuple[dict[int, tuple[str, int, bool]], tuple[tuple[str, str, int], ...]]:
    """Writes into the parameters (index -> (what, line)) and parameters handed on to other calls."""
    rebound = _rebound(node)
    index = {p: i for i, p in enumerate(params) if p not in rebound and p not in ("self", "cls")}
    mutates: dict[int, tuple[str, int, bool]] = {}
    passes: list[tuple[str, str, int]] = []
    if not index:
        return mutates, ()

    def note(name: str | None, what: str, line: int, ambiguous: bool = False) -> None:
        if name in index and (index[name] not in mutates or mutates[index[name]][2] and not ambiguous):
            mutates[index[name]] = (what, line, ambiguous)

    for inner in iter_nodes(node):
        if isinstance(inner, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
            for target in targets:
                if isinstance(target, ast.Subscript):
                    note(_subscript_root(target), f"sets [{_describe_key(target.slice)}]", inner.lineno)
        elif isinstance(inner, ast.Delete):
            for target in inner.targets:
                if isinstance(target, ast.Subscript):
                    note(_subscript_root(target), f"deletes [{_describe_key(target.slice)}]", inner.lineno)
        elif isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Attribute) and func.attr in CONTAINER_METHODS:
                root = _subscript_root(func.value)
                if func.attr in ("pop", "popitem", "setdefault") and inner.args:
                    what = f"{func.attr}s {_describe_key(inner.args[0])}" if func.attr == "pop" else f"calls {func.attr}()"
                else:
                    what = f"calls {func.attr}()"
                note(root, what, inner.lineno, func.attr in AMBIGUOUS_METHODS)
            callee = None
            if isinstance(func, ast.Name) and func.id in module_functions:
                callee = func.id
            elif isinstance(func, (ast.Name, ast.Attribute)):
                found = dotted_parts(func)
                if found and found[0] in ctx.aliases:
                    callee = ctx.qualify(func)
            if callee is not None:
                for position, arg in enumerate(inner.args):
                    if isinstance(arg, ast.Starred):
                        break
                    if isinstance(arg, ast.Name) and arg.id in index:
                        passes.append((callee, str(position), index[arg.id]))
                for kw in inner.keywords:
                    if kw.arg and isinstance(kw.value, ast.Name) and kw.value.id in index:
                        passes.append((callee, kw.arg, index[kw.value.id]))
    return mutates, tuple(passes)
