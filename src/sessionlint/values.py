"""What a fixture hands out: classify the returned or yielded expression."""

from __future__ import annotations

import ast

from sessionlint.context import FileContext, FunctionNode
from sessionlint.model import Value
from sessionlint.syntax import own_nodes

MUTABLE_CONSTRUCTORS = {
    "dict": "a dict",
    "list": "a list",
    "set": "a set",
    "bytearray": "a bytearray",
    "collections.defaultdict": "a defaultdict",
    "collections.OrderedDict": "an OrderedDict",
    "collections.Counter": "a Counter",
    "collections.deque": "a deque",
    "collections.ChainMap": "a ChainMap",
}
IMMUTABLE_CONSTRUCTORS = {
    "tuple",
    "frozenset",
    "str",
    "bytes",
    "int",
    "float",
    "bool",
    "types.MappingProxyType",
    "collections.namedtuple",
    "typing.NamedTuple",
    "pathlib.Path",
    "re.compile",
    "object",
}
CACHE_DECORATORS = {"functools.lru_cache", "functools.cache", "functools.cached_property", "lru_cache", "cache"}
SINGLETON_CALLS = {"instance", "get_instance", "getInstance", "get_default", "default_instance"}

_DISPLAY_DESC = {
    ast.Dict: "a dict",
    ast.List: "a list",
    ast.Set: "a set",
    ast.DictComp: "a dict",
    ast.ListComp: "a list",
    ast.SetComp: "a set",
}


def is_literal(node: ast.AST) -> bool:
    """Built only from literals: constants and displays of constants."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and is_literal(k) for k in node.keys) and all(is_literal(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return True
    return False


def mutable_constructor(ctx: FileContext, call: ast.Call) -> str | None:
    name = ctx.qualify(call.func)
    if name is None:
        return None
    if name in MUTABLE_CONSTRUCTORS:
        return MUTABLE_CONSTRUCTORS[name]
    extra = getattr(ctx.settings, "extra_mutable_types", ())
    if name in extra or name.rsplit(".", 1)[-1] in extra:
        return f"a {name.rsplit('.', 1)[-1]}"
    return None


def _local_binding(fn: FunctionNode, name: str, before_line: int) -> ast.expr | None:
    """The last simple ``name = expr`` before ``before_line`` in ``fn``'s own body."""
    found: ast.expr | None = None
    for node in own_nodes(fn):
        if isinstance(node, ast.Assign) and node.lineno < before_line:
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    found = node.value
        elif isinstance(node, ast.AnnAssign) and node.lineno < before_line and node.value is not None:
            if isinstance(node.target, ast.Name) and node.target.id == name:
                found = node.value
    return found


def handed_out(fn: FunctionNode) -> tuple[ast.expr | None, bool]:
    """The expression a fixture returns or first yields, and whether it yields."""
    first_yield: ast.expr | None = None
    is_yield = False
    ret: ast.expr | None = None
    for node in own_nodes(fn):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            if not is_yield:
                is_yield = True
                first_yield = node.value if isinstance(node, ast.Yield) else None
        elif isinstance(node, ast.Return) and node.value is not None and ret is None:
            ret = node.value
    return (first_yield if is_yield else ret), is_yield


def classify(ctx: FileContext, fn: FunctionNode, expr: ast.expr | None, args: tuple[str, ...], depth: int = 0) -> Value:
    if expr is None:
        return Value("immutable", "None")
    span = ctx.span(expr)
    if isinstance(expr, tuple(_DISPLAY_DESC)):
        value = Value("mutable", _DISPLAY_DESC[type(expr)], span, literal=is_literal(expr))
        if isinstance(expr, ast.Dict):  # {**shared, "users": []}: a fresh copy of a requested fixture
            value.source = next(
                (v.id for k, v in zip(expr.keys, expr.values) if k is None and isinstance(v, ast.Name) and v.id in args),
                "",
            )
        return value
    if isinstance(expr, (ast.Constant, ast.JoinedStr, ast.Tuple, ast.BinOp, ast.Compare, ast.BoolOp, ast.UnaryOp)):
        return Value("immutable", "a constant", span)
    if isinstance(expr, ast.Lambda):
        return Value("factory", "a function", span)
    if isinstance(expr, ast.Call):
        return _classify_call(ctx, fn, expr, span)
    if isinstance(expr, ast.Attribute):
        if isinstance(expr.value, ast.Name) and expr.value.id == "request" and expr.attr == "param":
            return Value("param", "request.param", span)
        return Value("opaque", "an attribute", span)
    if isinstance(expr, ast.Name):
        return _classify_name(ctx, fn, expr, args, span, depth)
    return Value("opaque", "a value", span)


def _classify_call(ctx: FileContext, fn: FunctionNode, call: ast.Call, span) -> Value:
    desc = mutable_constructor(ctx, call)
    if desc is not None:
        literal = all(is_literal(a) for a in call.args) and all(is_literal(k.value) for k in call.keywords)
        first = call.args[0] if call.args else None
        source = first.id if isinstance(first, ast.Name) else ""  # dict(shared): a copy when shared is requested
        return Value("mutable", desc, span, literal=literal, source=source)
    name = ctx.qualify(call.func) or ""
    if name in IMMUTABLE_CONSTRUCTORS:
        return Value("immutable", f"{name}()", span)
    if isinstance(call.func, ast.Attribute) and call.func.attr in ("mktemp", "getbasetemp"):
        return Value("immutable", "a temporary path", span)
    if name in ("copy.copy", "copy.deepcopy") or (isinstance(call.func, ast.Attribute) and call.func.attr == "copy"):
        copied = call.args[0] if call.args else call.func.value if isinstance(call.func, ast.Attribute) else None
        source = copied.id if isinstance(copied, ast.Name) else ""
        return Value("copy", "a copy", span, source=source)
    last = name.rsplit(".", 1)[-1]
    if last in SINGLETON_CALLS:
        return Value("shared", f"the singleton returned by {name}()", span)
    local = ctx.module_functions.get(name)
    if local is not None and _is_cached(ctx, local):
        return Value("shared", f"the cached result of {name}()", span)
    return Value("opaque", f"{name or 'a call'}()", span)


def _is_cached(ctx: FileContext, fn: FunctionNode) -> bool:
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if (ctx.qualify(target) or "") in CACHE_DECORATORS:
            return True
    return False


def _classify_name(ctx: FileContext, fn: FunctionNode, expr: ast.Name, args, span, depth: int) -> Value:
    name = expr.id
    local = _local_binding(fn, name, expr.lineno)
    if local is not None and depth < 3:
        inner = classify(ctx, fn, local, args, depth + 1)
        inner.span = span
        return inner
    if name in args:
        return Value("passthrough", f"fixture '{name}'", span, source=name)
    for node in own_nodes(fn):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return Value("factory", "a function", span)
    bound = ctx.module_globals.get(name)
    if bound is not None:
        if isinstance(bound, tuple(_DISPLAY_DESC)) or (
            isinstance(bound, ast.Call) and mutable_constructor(ctx, bound)
        ):
            return Value("shared", f"module global '{name}'", span)
    if name in ctx.module_functions:
        return Value("factory", "a function", span)
    return Value("opaque", f"'{name}'", span)

