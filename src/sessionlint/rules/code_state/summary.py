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
    # "": one cache serves every caller (a module function, a classmethod, a staticmethod);
    # "instance": one per receiver (``lru_cache`` on a method keys on ``self``; ``cached_property``)
    memo_scope: str = ""
    prop: bool = False  # a property: reading the attribute calls it


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
    for name, node in functions.items():
        summary.functions[name] = _function(ctx, node, callables, module_owner)
    for key, (node, owner, scope, prop, bound) in methods.items():
        found = _function(ctx, node, callables, (owner, bound, summary))
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
    return summary


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
        summary.members[name] = tuple(lineage)
        for stmt in cls.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            decorators = {ctx.qualify(d.func if isinstance(d, ast.Call) else d) or "?" for d in stmt.decorator_list}
            if not decorators <= _PLAIN_DECORATORS and not any(d.endswith(".setter") for d in decorators):
                continue
            if any(d.endswith(".setter") for d in decorators):
                continue
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
        for base in lineage[1:]:
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


def _locals(node: FunctionNode, imported: dict[str, str] | None = None) -> set[str]:
    """Names the function binds (parameters, assignments, loops, imports...): not globals.
    ``imported`` receives what the function's own imports bind (name -> qualified)."""
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
            if imported is not None:
                for a in inner.names:
                    if isinstance(inner, ast.ImportFrom):
                        if a.name != "*":
                            imported[a.asname or a.name] = from_import(inner, a.name)
                    elif a.asname:
                        imported[a.asname] = a.name
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and inner is not node:
            bound.add(inner.name)
        elif isinstance(inner, ast.Global):
            declared |= set(inner.names)
        elif isinstance(inner, ast.arg):
            bound.add(inner.arg)
    return bound - declared


def _function(
    ctx: FileContext, node: FunctionNode, module_functions: set[str], owner: tuple[str, str, ModuleSummary] | None = None
) -> FuncSummary:
    """``owner``: for a method, (its class, the name ``self``/``cls`` is bound to, the module's summary)."""
    params = tuple(a.arg for a in (*node.args.posonlyargs, *node.args.args))
    summary = FuncSummary(node.name, node.lineno, params)
    summary.memo = any(is_memo_decorator(ctx, d) for d in node.decorator_list)
    imported: dict[str, str] = {}
    local = _locals(node, imported)
    through: dict[str, str] = {}  # names whose attributes are members of the module's classes
    if owner is not None:
        cls, bound, module = owner
        through = {name: name for name in module.members}
        if bound:
            through[bound] = cls
        through.update(module.instances)  # ``keyring.get_auth_info()`` on a module-level instance
    called: set[int] = set()
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
            if through and inner.value.__class__ is ast.Name and inner.value.id in through and id(inner) not in called:
                key = member(owner[2], through[inner.value.id], inner.attr)  # type: ignore[index]
                if key is not None and owner[2].functions[key].prop:  # type: ignore[index]
                    calls.append(key)  # ``self.client``: a property runs
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
            elif isinstance(inner.func, ast.Name) and inner.func.id in imported:
                calls.append(imported[inner.func.id])  # a function imported in the body
            elif isinstance(inner.func, ast.Attribute):
                func = inner.func
                called.add(id(func))
                if through and func.value.__class__ is ast.Name and func.value.id in through:
                    key = member(owner[2], through[func.value.id], func.attr)  # type: ignore[index]
                    if key is not None:
                        calls.append(key)  # ``self.load()``, ``cls.instance()``, ``Other.helper()``
                        continue
                found = dotted_parts(func)
                if found and found[0] in imported and not found[1][:-1]:
                    calls.append(f"{imported[found[0]]}.{func.attr}")
                    continue
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
