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
# Calls that build a fresh mutable container from serialized data.
DESERIALIZERS = frozenset(
    {
        "json.load", "json.loads", "pickle.load", "pickle.loads", "yaml.safe_load", "yaml.load",
        "yaml.full_load", "yaml.unsafe_load", "tomllib.load", "tomllib.loads", "tomli.load", "tomli.loads",
        "toml.load", "toml.loads", "ast.literal_eval", "marshal.load", "marshal.loads",
    }
)  # fmt: skip
# Common third-party mutable types, by qualified constructor or annotation (extend with
# ``extra-mutable-types``). Their instances are written in place (``df.loc[...] = ``,
# ``arr[0] = ``, ``df.drop(..., inplace=True)``) like builtin containers.
MUTABLE_THIRD_PARTY = {
    "pandas.DataFrame": "a pandas DataFrame",
    "pandas.Series": "a pandas Series",
    "pandas.read_csv": "a pandas DataFrame",
    "pandas.read_json": "a pandas DataFrame",
    "pandas.read_parquet": "a pandas DataFrame",
    "pandas.read_excel": "a pandas DataFrame",
    "pandas.read_sql": "a pandas DataFrame",
    "numpy.ndarray": "a numpy array",
    "numpy.array": "a numpy array",
    "numpy.zeros": "a numpy array",
    "numpy.ones": "a numpy array",
    "numpy.empty": "a numpy array",
    "numpy.full": "a numpy array",
    "numpy.arange": "a numpy array",
    "numpy.linspace": "a numpy array",
    "numpy.zeros_like": "a numpy array",
    "numpy.ones_like": "a numpy array",
    "numpy.empty_like": "a numpy array",
    "numpy.full_like": "a numpy array",
    "numpy.eye": "a numpy array",
    "numpy.identity": "a numpy array",
    "xarray.Dataset": "an xarray Dataset",
    "xarray.DataArray": "an xarray DataArray",
    "xarray.open_dataset": "an xarray Dataset",
    "xarray.load_dataset": "an xarray Dataset",
    "xarray.open_dataarray": "an xarray DataArray",
    "xarray.load_dataarray": "an xarray DataArray",
}
# Annotations naming a mutable container (``-> dict[str, str]``, ``-> pd.DataFrame``).
MUTABLE_ANNOTATIONS = {
    "dict": "a dict", "list": "a list", "set": "a set", "bytearray": "a bytearray",
    "typing.Dict": "a dict", "typing.List": "a list", "typing.Set": "a set",
    "typing.DefaultDict": "a defaultdict", "typing.OrderedDict": "an OrderedDict", "typing.Counter": "a Counter",
    "typing.Deque": "a deque", "typing.MutableMapping": "a mutable mapping",
    "typing.MutableSequence": "a mutable sequence", "typing.MutableSet": "a mutable set",
    "collections.abc.MutableMapping": "a mutable mapping", "collections.abc.MutableSequence": "a mutable sequence",
    "collections.abc.MutableSet": "a mutable set",
}  # fmt: skip
# Generator annotations of yield fixtures: the yielded type is their first argument.
_GENERATOR_ANNOTATIONS = frozenset(
    {
        "typing.Iterator", "typing.Generator", "typing.Iterable", "collections.abc.Iterator",
        "collections.abc.Generator", "collections.abc.Iterable", "typing.AsyncIterator",
        "typing.AsyncGenerator", "collections.abc.AsyncIterator", "collections.abc.AsyncGenerator",
    }
)  # fmt: skip
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
    return _mutable_type(ctx, name)


def _mutable_type(ctx: FileContext, name: str) -> str | None:
    """A third-party mutable type or constructor from the table or ``extra-mutable-types``."""
    if name in MUTABLE_THIRD_PARTY:
        return MUTABLE_THIRD_PARTY[name]
    extra = getattr(ctx.settings, "extra_mutable_types", ())
    if name in extra or name.rsplit(".", 1)[-1] in extra:
        return f"a {name.rsplit('.', 1)[-1]}"
    return None


def deserialized(ctx: FileContext, call: ast.Call) -> str | None:
    """``json.load(f)``, ``yaml.safe_load(s)``...: a fresh container; its description, else None."""
    name = ctx.qualify(call.func)
    return f"the result of {name}()" if name in DESERIALIZERS else None


def mutable_expr(ctx: FileContext, expr: ast.expr) -> str | None:
    """What mutable container an expression builds on its own (a display, a constructor, a
    deserializer, a known mutable type), without following names; None otherwise."""
    if isinstance(expr, tuple(_DISPLAY_DESC)):
        return _DISPLAY_DESC[type(expr)]
    if isinstance(expr, ast.Call):
        return mutable_constructor(ctx, expr) or deserialized(ctx, expr)
    return None


def annotation_kind(ctx: FileContext, node: ast.expr | None, depth: int = 0) -> str | None:
    """The mutable container an annotation names (``dict[str, str]``, ``pd.DataFrame``, an alias of one)."""
    if node is None or depth > 3:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "pd.DataFrame"
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    base = node.value if isinstance(node, ast.Subscript) else node
    name = ctx.qualify(base)
    if name is None:
        return None
    if name in MUTABLE_ANNOTATIONS:
        return MUTABLE_ANNOTATIONS[name]
    found = _mutable_type(ctx, name)
    if found is not None:
        return found
    if isinstance(base, ast.Name):  # EnvVarsDict = dict[str, str]
        alias = ctx.module_globals.get(base.id)
        if isinstance(alias, (ast.Subscript, ast.Name, ast.Attribute)):
            return annotation_kind(ctx, alias, depth + 1)
    return None


def _returns_kind(ctx: FileContext, fn: FunctionNode, is_yield: bool) -> str | None:
    node = fn.returns
    if is_yield:
        if not isinstance(node, ast.Subscript) or (ctx.qualify(node.value) or "") not in _GENERATOR_ANNOTATIONS:
            return None
        inner = node.slice
        node = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
    return annotation_kind(ctx, node)


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
    if isinstance(expr, ast.Tuple):  # immutable only when its members are: ``return data, meta``
        for elt in expr.elts:
            inner = classify(ctx, fn, elt.value if isinstance(elt, ast.Starred) else elt, args, depth + 1)
            if inner.kind == "mutable" and not inner.source:
                return Value("mutable", f"a tuple holding {inner.desc}", span, literal=is_literal(expr))
        return Value("immutable", "a tuple", span)
    if isinstance(expr, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Compare, ast.BoolOp, ast.UnaryOp)):
        return Value("immutable", "a constant", span)
    if isinstance(expr, ast.Lambda):
        return Value("factory", "a function", span)
    if isinstance(expr, ast.Call):
        value = _classify_call(ctx, fn, expr, span)
        if value.kind == "opaque" and depth == 0 and fn.returns is not None:  # ``-> dict[str, str]``
            annotated = _returns_kind(ctx, fn, any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own_nodes(fn)))
            if annotated is not None:
                return Value("mutable", annotated, span)
        return value
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
    desc = deserialized(ctx, call)
    if desc is not None:
        return Value("mutable", desc, span)
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
    # an instance of a class (CapWords): mutable when the class is first-party and tests write to it
    # (settled across files, rules/fixture_values)
    cls = name if last[:1].isupper() and not last.isupper() else ""
    return Value("opaque", f"{name or 'a call'}()", span, cls=cls)


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
    imported = _imported_object(ctx, name)
    if imported is not None:
        return Value("shared", imported[0], span, source=imported[1])
    return Value("opaque", f"'{name}'", span)


def _imported_object(ctx: FileContext, name: str) -> tuple[str, str] | None:
    """``from app import _app`` ... ``return _app``: a module-level object every importer shares, as
    (its description, ``module.name`` as imported: ``..app._app``). Whether the object can be written is
    settled across files (SLK102: a constant of a first-party module is not shared state).

    A CapWords name is taken for a class (handing out a class is a factory), so it is left alone.
    """
    for imp in ctx.facts.imports:
        if imp.asname != name or imp.name == "*":
            continue
        original = imp.name
        if original[:1].isupper() and not original.isupper():
            return None
        module = "." * imp.level + imp.module
        dotted = f"{module}.{original}" if imp.module else f"{module}{original}"
        return f"module-level object '{original}' imported from {module}", dotted
    return None

