"""Summaries of first-party (non-test) modules: one ``ast`` pass, picklable, cached with the facts.

A summary records, per module-level function and per method of a module-level
class (keyed ``Class.method``): whether it is memoized
(``functools.lru_cache``/``cache``), what it reads (``os.environ`` keys,
module globals, attributes of imported modules), which functions it calls,
which of its parameters it writes into, and which caches it clears; and per
module: the names computed at import time from the environment, the clock,
the working directory or ``sys.argv``. A pydantic ``BaseSettings`` subclass
is recorded as a callable of the module that reads its variables
(``classes.py``).

Precision first: only what the syntax shows for certain is recorded. A
parameter that is rebound anywhere in the function (``data = dict(data)``)
is never said to be mutated; calls through ``getattr`` or objects of unknown
class are not followed. Calls through ``self``/``cls`` and the module's class
names are looked up in the class and its bases of the module; a method with a
decorator other than the plain ones (``property``, ``classmethod``,
``functools.cache``...) is not summarized. Module-level instances
(``keyring = Keyring()``) are recorded: an ``lru_cache`` method or a
``cached_property`` keeps one value per receiver, shared only when the
receiver is such an instance (``memo_scope``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from itertools import chain

from sessionlint.context import FileContext, FunctionNode, dotted_parts
from sessionlint.mutations import AMBIGUOUS_METHODS, CONTAINER_METHODS
from sessionlint.syntax import from_import, iter_nodes
from sessionlint.rules.code_state.classes import ClassState, class_states, settings_classes
from sessionlint.rules.code_state.memos import memo_candidates, memo_writes
from sessionlint.rules.code_state.registries import Registries, summarize_registries

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
    # "": one cache serves every caller (a module function, a classmethod, a staticmethod);
    # "instance": one per receiver (``lru_cache`` on a method keys on ``self``; ``cached_property``)
    memo_scope: str = ""
    prop: bool = False  # a property: reading the attribute calls it
    # a hand-written memo (``memo`` set, ``memo_scope`` ""): the module global that keeps the result,
    # a dict filled under ``if key not in _cache:`` or a lazy singleton (``global _settings``)
    memo_global: str = ""
    resets: frozenset[str] = frozenset()  # memo globals of the module it writes (rebinds, clears, fills)


@dataclass
class ModuleSummary:
    path: str
    functions: dict[str, FuncSummary] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified ("." for relative)
    state: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)  # name -> (line, inputs)
    classes: dict[str, ClassState] = field(default_factory=dict)  # classes keeping shared state (SLK604)
    # module-level classes whose methods are summarized (as "Class.method" in ``functions``):
    # name -> the classes of the module its attributes are looked up in, itself first
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)  # module-level ``name = Class(...)`` -> Class
    registries: Registries | None = None  # registries filled by calls, accessors of one instance (SLK605, SLK604)
    runs_at_import: int = 0  # a ``__main__`` module that runs the program when imported: the line of that call
    # ``_cache = {}`` -> "dict"; ``_x = None`` (a lazy singleton) -> the initial value's repr ("None", "''")
    memo_globals: dict[str, str] = field(default_factory=dict)


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
    methods = _classes(ctx, summary) if "class " in ctx.text else {}
    callables |= set(summary.members)
    for key, (node, _owner, _scope, prop, _bound) in methods.items():
        summary.functions[key] = FuncSummary(key, node.lineno, (), prop=prop)  # for ``member`` below
    assigns = [s for s in ctx.tree.body if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None]
    for stmt in assigns:
        value = stmt.value
        if (
            value.__class__ is ast.Call and value.func.__class__ is ast.Name and value.func.id in summary.members
            and isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.targets[0].__class__ is ast.Name
        ):  # fmt: skip
            summary.instances[stmt.targets[0].id] = value.func.id  # ``keyring = Keyring()``
    module_owner = ("", "", summary) if summary.members else None
    env_words = _env_words(ctx)
    summary.memo_globals = memo_candidates(ctx, assigns) if functions else {}
    for name, node in functions.items():
        summary.functions[name] = _function(ctx, node, callables, module_owner, env_words, summary.memo_globals)
    for key, (node, owner, scope, prop, bound) in methods.items():
        found = _function(ctx, node, callables, (owner, bound, summary), env_words, summary.memo_globals)
        found.memo = found.memo or scope == "cached"
        found.memo_scope = "instance" if found.memo and scope != "" else ""
        found.prop = prop
        found.name = key
        summary.functions[key] = found
    for stmt in assigns:
        inputs = _inputs(ctx, stmt.value, summary.functions)
        if inputs:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in iter_nodes(target):
                    if isinstance(node, ast.Name):
                        summary.state[node.id] = (stmt.lineno, inputs)
    summary.registries = summarize_registries(ctx, summary)
    if ctx.path.endswith("__main__.py"):
        summary.runs_at_import = _runs_at_import(ctx.tree)
    return summary


def _runs_at_import(tree: ast.Module) -> int:
    """The line where a ``__main__`` module runs its program at import: a call or ``raise`` at its
    top level, outside ``if __name__ == "__main__":`` (which an import skips); 0 when none."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Call, ast.Await)):
            return stmt.lineno
        if isinstance(stmt, ast.Raise):
            return stmt.lineno
    return 0


_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod", "property", "abc.abstractmethod", "typing.override",
                               "typing_extensions.override", "functools.cached_property"} | MEMO_DECORATORS)  # fmt: skip
Method = tuple[FunctionNode, str, str, bool, str]  # node, class, "cached"/"instance"/"", property, self's name


def _classes(ctx: FileContext, summary: ModuleSummary) -> dict[str, Method]:
    """The module's classes and their methods, for calls through instances (``Index(url).client``,
    ``keyring.get_auth_info(...)`` on a module-level instance, ``Keyring.is_available()``).

    A method with a decorator other than the plain ones (a custom descriptor or wrapper) is not
    summarized: what calling it runs is not certain. Names are looked up in the class and its
    bases defined in the module; a base defined elsewhere stops the lookup (``None`` found)."""
    classes = {stmt.name: stmt for stmt in ctx.tree.body if isinstance(stmt, ast.ClassDef)}
    methods: dict[str, Method] = {}
    for name, cls in classes.items():
        lineage = [name]
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in classes and base.id != name:
                lineage.append(base.id)
            elif not (isinstance(base, ast.Name) and base.id == "object"):
                lineage.append("?")  # defined elsewhere: what it holds is not known
        summary.members[name] = tuple(lineage)
        for stmt in cls.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            decorators = {ctx.qualify(d.func if isinstance(d, ast.Call) else d) or "?" for d in stmt.decorator_list}
            if not decorators <= _PLAIN_DECORATORS:
                continue  # a custom descriptor or wrapper, a property's setter or deleter
            static = "staticmethod" in decorators
            cached = "functools.cached_property" in decorators
            prop = "property" in decorators or cached
            scope = "cached" if cached else "" if static or "classmethod" in decorators else "instance"
            params = [a.arg for a in (*stmt.args.posonlyargs, *stmt.args.args)]
            bound = params[0] if params and not static else ""
            methods[f"{name}.{stmt.name}"] = (stmt, name, scope, prop, bound)
    return methods


def member(summary: ModuleSummary, cls: str, attr: str, depth: int = 0) -> str | None:
    """The key in ``summary.functions`` of ``cls.attr`` looked up through the module's bases."""
    lineage = summary.members.get(cls)
    if lineage is None:
        return None
    if f"{cls}.{attr}" in summary.functions:
        return f"{cls}.{attr}"
    if depth < 3:
        for base in lineage[1:]:  # in the order the bases are listed (the MRO, for these classes)
            if base == "?":
                return None  # a base defined elsewhere may hold the attribute first
            found = member(summary, base, attr, depth + 1)
            if found is not None:
                return found
    return None


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


def _env_words(ctx: FileContext) -> tuple[str, ...]:
    """Words one of which a function's text holds when it may read the environment: ``environ``,
    ``getenv``, and the names the module binds to them (``from os import environ as env``)."""
    extra = tuple(
        name for name, q in ctx.aliases.items() if q.startswith("os.environ") or q in ("os.getenv", "os.getenvb")
    )  # fmt: skip
    return ("environ", "getenv", *extra)


def _function(
    ctx: FileContext, node: FunctionNode, module_functions: set[str], owner: tuple[str, str, ModuleSummary] | None = None,
    env_words: tuple[str, ...] = ("environ", "getenv"), memo_globals: dict[str, str] | None = None,
) -> FuncSummary:
    """One walk over the body (the names it binds are known only at the end, so what depends on
    them is sorted out after it). ``owner``: for a method, (its class, the name ``self``/``cls``
    is bound to, the module's summary); for a module-level function, ("", "", summary) when the
    module has classes."""
    args = node.args
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args))
    summary = FuncSummary(node.name, node.lineno, params)
    summary.memo = any(is_memo_decorator(ctx, d) for d in node.decorator_list)
    starts = ctx.line_starts()
    last = min(node.end_lineno or node.lineno, len(starts) - 1)
    text = ctx.text[starts[node.lineno - 1] : starts[last]]
    summary.env = frozenset(env_reads(ctx, node)) if any(w in text for w in env_words) else frozenset()
    through: dict[str, str] = {}  # names whose attributes are members of the module's classes
    module = owner[2] if owner is not None else None
    if owner is not None:
        cls, bound_self, module = owner
        through = {name: name for name in module.members}
        if bound_self:
            through[bound_self] = cls
        through.update(module.instances)  # ``keyring.get_auth_info()`` on a module-level instance
    bound = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            bound.add(extra.arg)
    declared: set[str] = set()
    imported: dict[str, str] = {}
    aliases = ctx.aliases
    module_globals = ctx.module_globals
    loads: list[str] = []
    attr_reads: list[tuple[str, ast.Attribute]] = []
    pending: list[tuple[str, str, ast.expr | None]] = []  # ("key", key, None) | ("name"/"attr", root, func)
    clears: set[str] = set()
    called: set[int] = set()
    track = owner is None or not owner[0]  # SLK603 follows module-level functions only
    writes: list[ast.AST] = []  # assignments, deletions and calls, for ``_param_writes``
    stored: set[str] = set()
    memos = memo_globals or {}  # the module's candidate memo globals (``_cache = {}``, ``_x = None``)
    touched: list[ast.AST] = []  # writes to one of them: rebinding, item writes, container methods
    Name, Attribute, Call, Load, Subscript = ast.Name, ast.Attribute, ast.Call, ast.Load, ast.Subscript
    for inner in chain.from_iterable(map(iter_nodes, node.body)):
        kind = inner.__class__
        if kind is Name:
            if inner.ctx.__class__ is Load:
                if inner.id in module_globals:
                    loads.append(inner.id)
            else:
                bound.add(inner.id)
                stored.add(inner.id)
                if inner.id in memos:
                    touched.append(inner)
        elif kind in _WRITES:
            if track:
                writes.append(inner)
            if kind is ast.Nonlocal:
                stored.update(inner.names)  # type: ignore[attr-defined]
        elif kind is Attribute:
            value = inner.value
            if through and value.__class__ is Name and value.id in through and id(inner) not in called:
                key = member(module, through[value.id], inner.attr)  # type: ignore[arg-type]
                if key is not None and module.functions[key].prop:  # type: ignore[union-attr]
                    pending.append(("key", key, None))  # ``self.client``: a property runs
            if inner.attr == "cache_clear":
                q = ctx.qualify(value)
                clears.add(q if q else "*")
            if inner.ctx.__class__ is Load:
                found = dotted_parts(inner)
                if found and found[0] in aliases:
                    attr_reads.append((found[0], inner))
        elif kind is Call:
            func = inner.func
            if track:
                writes.append(inner)
            if memos and func.__class__ is Attribute and func.value.__class__ is Name and func.value.id in memos:
                if func.attr in CONTAINER_METHODS:
                    touched.append(inner)  # ``_cache.clear()``, ``_cache.setdefault(k, v)``
            if func.__class__ is Name:
                pending.append(("name", func.id, func))
            elif func.__class__ is Attribute:
                called.add(id(func))
                value = func.value
                if through and value.__class__ is Name and value.id in through:
                    key = member(module, through[value.id], func.attr)  # type: ignore[arg-type]
                    if key is not None:
                        pending.append(("key", key, None))  # ``self.load()``, ``cls.instance()``, ``Other.helper()``
                        continue
                found = dotted_parts(func)
                if found:
                    pending.append(("attr", found[0], func))
        elif kind is ast.Import or kind is ast.ImportFrom:
            for a in inner.names:
                bound.add((a.asname or a.name).split(".")[0])
                if kind is ast.ImportFrom:
                    if a.name != "*":
                        imported[a.asname or a.name] = from_import(inner, a.name)
                elif a.asname:
                    imported[a.asname] = a.name
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
            bound.add(inner.name)
        elif kind is ast.Global:
            declared.update(inner.names)
            stored.update(inner.names)
        elif kind is ast.arg:
            bound.add(inner.arg)
        elif kind is Subscript and memos:
            value = inner.value
            if value.__class__ is Name and value.id in memos and inner.ctx.__class__ is not Load:
                touched.append(inner)  # ``_cache[key] = value``, ``del _cache[key]``
    local = bound - declared
    if touched:  # a method may reset a memo global; only module-level functions memoize into one
        memo_writes(summary, node, touched, memos, declared, local, track)
    qualify = ctx.qualify
    summary.globals = frozenset(name for name in loads if name not in local)
    attrs: set[str] = set()
    for root, inner in attr_reads:
        if root not in local:
            q = qualify(inner)
            if q and q != "os.environ" and not q.startswith("os.environ."):
                attrs.add(q)
    summary.attrs = frozenset(attrs)
    calls: list[str] = []
    for what, name, func in pending:
        if what == "key":
            calls.append(name)
        elif what == "name":
            if name not in local:
                if name in module_functions:
                    calls.append(name)
                elif name in aliases:
                    calls.append(qualify(func) or name)  # type: ignore[arg-type]
            elif name in imported:
                calls.append(imported[name])  # a function imported in the body
        elif name in imported:
            if func.value.__class__ is Name:  # type: ignore[union-attr]
                calls.append(f"{imported[name]}.{func.attr}")  # type: ignore[union-attr]
        elif name in aliases and name not in local:
            q = qualify(func)  # type: ignore[arg-type]
            if q:
                calls.append(q)
    summary.calls = tuple(dict.fromkeys(calls))
    summary.clears = frozenset(clears)
    if track and writes:
        summary.mutates, summary.passes = _param_writes(writes, stored, params, module_functions, ctx)
    return summary


_WRITES = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Nonlocal)


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
    writes: list[ast.AST], rebound: set[str], params: tuple[str, ...], module_functions: set[str], ctx: FileContext
) -> tuple[dict[int, tuple[str, int, bool]], tuple[tuple[str, str, int], ...]]:
    """Writes into the parameters (index -> (what, line)) and parameters handed on to other calls,
    from the assignments, deletions and calls of the body (source order) and the names it rebinds."""
    index = {p: i for i, p in enumerate(params) if p not in rebound and p not in ("self", "cls")}
    mutates: dict[int, tuple[str, int, bool]] = {}
    passes: list[tuple[str, str, int]] = []
    if not index:
        return mutates, ()

    def note(name: str | None, what, line: int, ambiguous: bool = False) -> None:
        if name in index and (index[name] not in mutates or mutates[index[name]][2] and not ambiguous):
            mutates[index[name]] = (what(), line, ambiguous)

    for inner in writes:
        if isinstance(inner, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
            for target in targets:
                if isinstance(target, ast.Subscript):
                    note(_subscript_root(target), lambda t=target: f"sets [{_describe_key(t.slice)}]", inner.lineno)
        elif isinstance(inner, ast.Delete):
            for target in inner.targets:
                if isinstance(target, ast.Subscript):
                    note(_subscript_root(target), lambda t=target: f"deletes [{_describe_key(t.slice)}]", inner.lineno)
        elif isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Attribute) and func.attr in CONTAINER_METHODS:
                root = _subscript_root(func.value)
                if func.attr in ("pop", "popitem", "setdefault") and inner.args:
                    what = (
                        (lambda f=func, c=inner: f"{f.attr}s {_describe_key(c.args[0])}")
                        if func.attr == "pop" else (lambda f=func: f"calls {f.attr}()")
                    )  # fmt: skip
                else:
                    what = lambda f=func: f"calls {f.attr}()"  # noqa: E731
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
