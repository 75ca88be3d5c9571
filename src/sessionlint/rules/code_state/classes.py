"""Module-level classes of a first-party module, as the SLK6xx summaries need them.

Settings classes: a class deriving from pydantic's ``BaseSettings`` reads its
fields from ``os.environ`` each time it is instantiated, so ``Settings()`` is
an environment read as much as ``os.environ.get``. The summary records the
variables it reads (``env_prefix`` + the field name, upper-cased unless
``case_sensitive``; a literal ``alias``/``validation_alias``/``env`` as is)
and treats the class as a callable of the module that reads them.

Precision first: a base the module does not define (a mixin, a settings class
of another module) makes the class unknown, and it is not recorded; a
non-literal alias or prefix reads "some variable" (``*``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from sessionlint.context import FileContext
from sessionlint.mutations import CONTAINER_METHODS
from sessionlint.syntax import iter_nodes

SETTINGS_BASES = frozenset({
    "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings", "pydantic.v1.BaseSettings", "pydantic.env_settings.BaseSettings",
})  # fmt: skip
_ALIAS_KEYWORDS = ("validation_alias", "alias", "env")


@dataclass(frozen=True)
class SettingsShape:
    """What a settings class reads: its fields (name, literal alias or "" or "*"), prefix, case."""

    fields: tuple[tuple[str, str], ...]
    prefix: str | None  # None: not set here (inherited, else "")
    case_sensitive: bool | None

    def env(self) -> frozenset[str]:
        prefix = self.prefix or ""
        keys: set[str] = set()
        for name, alias in self.fields:
            if alias == "*" or prefix == "*":
                keys.add("*")
            elif alias:
                keys.add(alias)
            else:
                key = prefix + name
                keys.add(key if self.case_sensitive else key.upper())
        return frozenset(keys)


def settings_classes(ctx: FileContext) -> dict[str, tuple[int, frozenset[str]]]:
    """Module-level pydantic settings classes: name -> (line, environment variables read)."""
    shapes: dict[str, SettingsShape] = {}
    found: dict[str, tuple[int, frozenset[str]]] = {}
    for stmt in ctx.tree.body:
        if not isinstance(stmt, ast.ClassDef) or not stmt.bases or stmt.keywords:
            continue
        shape = _shape(ctx, stmt, shapes)
        if shape is not None:
            shapes[stmt.name] = shape
            found[stmt.name] = (stmt.lineno, shape.env())
    return found


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _shape(ctx: FileContext, cls: ast.ClassDef, known: dict[str, SettingsShape]) -> SettingsShape | None:
    fields: list[tuple[str, str]] = []
    prefix: str | None = None
    case: bool | None = None
    for base in cls.bases:
        if ctx.qualify(base) in SETTINGS_BASES:
            continue
        parent = known.get(base.id) if isinstance(base, ast.Name) else None
        if parent is None:
            return None  # a base not known: fields and configuration we cannot see
        fields += parent.fields
        prefix = parent.prefix if parent.prefix is not None else prefix
        case = parent.case_sensitive if parent.case_sensitive is not None else case
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            annotation = ctx.qualify(stmt.annotation.value if isinstance(stmt.annotation, ast.Subscript) else stmt.annotation)
            if name.startswith("_") or (annotation or "").endswith("ClassVar"):
                continue
            if name == "model_config":
                found = _config_call(stmt.value)
                if found is None:
                    return None
                prefix, case = found[0] if found[0] is not None else prefix, found[1] if found[1] is not None else case
                continue
            fields = [f for f in fields if f[0] != name] + [(name, _alias(ctx, stmt.value))]
        elif isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets):
            found = _config_call(stmt.value)
            if found is None:
                return None
            prefix, case = found[0] if found[0] is not None else prefix, found[1] if found[1] is not None else case
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":  # pydantic v1
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name):
                    key = inner.targets[0].id
                    if key == "env_prefix":
                        prefix = _str(inner.value) if _str(inner.value) is not None else "*"
                    elif key == "case_sensitive":
                        case = inner.value.value is True if isinstance(inner.value, ast.Constant) else None
                    elif key == "fields":
                        return None
    return SettingsShape(tuple(fields), prefix, case)


def _config_call(value: ast.expr | None) -> tuple[str | None, bool | None] | None:
    """``SettingsConfigDict(env_prefix="APP_", case_sensitive=True)`` or a dict display:
    (prefix, case_sensitive), either None when not set; None when not readable."""
    pairs: list[tuple[str | None, ast.expr]] = []
    if isinstance(value, ast.Call):
        pairs = [(k.arg, k.value) for k in value.keywords]
    elif isinstance(value, ast.Dict):
        pairs = [(_str(k) if k is not None else None, v) for k, v in zip(value.keys, value.values)]
    else:
        return None
    prefix: str | None = None
    case: bool | None = None
    for key, item in pairs:
        if key is None:
            return None  # ``**other``
        if key == "env_prefix":
            prefix = _str(item) if _str(item) is not None else "*"
        elif key == "case_sensitive":
            case = item.value is True if isinstance(item, ast.Constant) else None
    return prefix, case


def _alias(ctx: FileContext, value: ast.expr | None) -> str:
    """The variable a field reads when ``Field(...)`` names it: the alias, "*" if not literal, else ""."""
    if not isinstance(value, ast.Call) or not (ctx.qualify(value.func) or "").endswith("Field"):
        return ""
    for keyword in _ALIAS_KEYWORDS:
        for k in value.keywords:
            if k.arg == keyword:
                return _str(k.value) or "*"
    return ""


# Shared state in classes (SLK604) -----------------------------------------------------------
_MUTABLE_CALLS = frozenset({
    "dict", "list", "set", "bytearray", "collections.defaultdict", "collections.OrderedDict",
    "collections.Counter", "collections.deque",
})  # fmt: skip


@dataclass
class ClassState:
    """State a class keeps for every instance (SLK604).

    ``attrs``: mutable class attributes (container displays and constructors in the class body)
    that no method rebinds through ``self`` (an instance attribute would hide them);
    ``writers``: method -> (attribute, line, what) for methods that write into one of them, or,
    for a singleton, into any attribute of ``self``; ``singleton``: the classmethod that hands out
    the one instance (``cls._instance``), "" when the class is not one.
    """

    name: str
    line: int
    attrs: dict[str, int]
    writers: dict[str, tuple[str, int, str]]
    singleton: str = ""


def class_states(ctx: FileContext) -> dict[str, ClassState]:
    """Module-level classes that keep state shared by their instances: name -> ClassState."""
    found: dict[str, ClassState] = {}
    classes = {stmt.name: stmt for stmt in ctx.tree.body if isinstance(stmt, ast.ClassDef)}
    for name, cls in classes.items():
        state = _class_state(ctx, cls, classes)
        if state is not None:
            found[name] = state
    return found


def _is_mutable(ctx: FileContext, value: ast.expr | None) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    return isinstance(value, ast.Call) and ctx.qualify(value.func) in _MUTABLE_CALLS


def _lineage(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> list[ast.ClassDef] | None:
    """The class and its bases defined in the module, nearest first; None when a base is
    defined elsewhere (its methods could rebind or reset what we cannot see)."""
    chain = [cls]
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in classes and classes[base.id] is not cls:
            above = _lineage(classes[base.id], classes)
            if above is None:
                return None
            chain += [c for c in above if c not in chain]
        elif not (isinstance(base, ast.Name) and base.id == "object"):
            return None
    return chain


def _self_attr(node: ast.expr, selves: set[str]) -> str | None:
    """``self.attr`` (or ``cls.attr``, ``Class.attr``) under any subscripts: ``attr``."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in selves:
        return node.attr
    return None


def shared_instance_state(ctx: FileContext, name: str, label: str) -> ClassState | None:
    """The state of ``name``'s one module-level instance (``_registry = Registry()`` handed out by an
    accessor): every method but ``__init__`` that writes to ``self`` writes what every holder of the
    instance sees. ``label`` names how it is shared (``get_registry()``)."""
    classes = {stmt.name: stmt for stmt in ctx.tree.body if isinstance(stmt, ast.ClassDef)}
    cls = classes.get(name)
    return _class_state(ctx, cls, classes, label) if cls is not None else None


def _class_state(
    ctx: FileContext, cls: ast.ClassDef, classes: dict[str, ast.ClassDef], shared_as: str = ""
) -> ClassState | None:
    lineage = _lineage(cls, classes)
    if lineage is None or cls.keywords or cls.decorator_list:
        return None  # metaclasses, dataclasses, attrs...: the class body is not plain class state
    attrs: dict[str, int] = {}
    instance_holder = ""
    for owner in reversed(lineage):
        for stmt in owner.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if not isinstance(target, ast.Name):
                        continue
                    if _is_mutable(ctx, stmt.value):
                        attrs[target.id] = stmt.lineno
                        continue
                    attrs.pop(target.id, None)
                    if isinstance(stmt.value, ast.Constant) and stmt.value.value is None and "instance" in target.id.lower():
                        instance_holder = target.id
    methods = [
        (owner, stmt) for owner in lineage for stmt in owner.body
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]  # fmt: skip
    singleton = _singleton_factory(cls, instance_holder)
    if shared_as and not singleton:
        singleton = shared_as  # one module-level instance: writes to ``self`` are shared as a singleton's
    if not attrs and not singleton:
        return None
    # ``__new__`` hands out the one instance, but ``__init__`` runs again on every ``Config()``:
    # what it assigns is reset by each call, not kept
    reset_by_init: set[str] = set()
    rebound: set[str] = set()
    writes: dict[str, tuple[str, int, str]] = {}
    seen_methods: set[str] = set()
    starts = ctx.line_starts()
    for owner, method in methods:
        if method.name in seen_methods:
            continue  # overridden by a class nearer in the lineage
        seen_methods.add(method.name)
        if not singleton:  # a method that names none of the attributes neither writes nor rebinds them
            text = ctx.text[starts[method.lineno - 1] : starts[min(method.end_lineno or method.lineno, len(starts) - 1)]]
            if not any(name in text for name in attrs):
                continue
        params = [a.arg for a in (*method.args.posonlyargs, *method.args.args)]
        selves = {params[0]} if params else set()
        selves.add(owner.name)
        for inner in iter_nodes(method):
            targets: list[ast.expr] = []
            if isinstance(inner, ast.Assign):
                targets = inner.targets
            elif isinstance(inner, (ast.AnnAssign, ast.AugAssign)):
                targets = [inner.target]
            elif isinstance(inner, ast.Delete):
                targets = inner.targets
            for target in targets:
                name = _self_attr(target, selves)
                if name is None:
                    continue
                if isinstance(target, ast.Attribute):
                    rebound.add(name)  # ``self.attr = ...``: an instance attribute from here on
                    if method.name == "__init__" and singleton == "__new__":
                        reset_by_init.add(name)
                    if singleton and method.name not in ("__init__", "__new__", singleton) and name != instance_holder:
                        writes.setdefault(method.name, (name, inner.lineno, f"sets self.{name}"))
                elif method.name not in ("__init__", "__new__"):
                    what = "deletes an item of" if isinstance(inner, ast.Delete) else "sets an item of"
                    writes.setdefault(method.name, (name, inner.lineno, f"{what} self.{name}"))
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr in CONTAINER_METHODS:
                name = _self_attr(inner.func.value, selves)
                if name is not None and method.name not in ("__init__", "__new__"):
                    writes.setdefault(method.name, (name, inner.lineno, f"calls self.{name}.{inner.func.attr}()"))
    shared = {a: line for a, line in attrs.items() if a not in rebound}
    writers = {
        m: w for m, w in writes.items()
        if w[0] in shared or (singleton and w[0] != instance_holder and w[0] not in reset_by_init)
    }  # fmt: skip
    if not writers:
        return None
    return ClassState(cls.name, cls.lineno, shared, writers, singleton)


def _singleton_factory(cls: ast.ClassDef, holder: str) -> str:
    """The classmethod that stores the one instance in ``cls.<holder>`` and returns it, or
    ``__new__`` when it does (``Config()`` is then the singleton). ``holder``: the class attribute
    bound to None in the class body ("" when there is none: ``__new__`` may still name one)."""
    for stmt in cls.body:
        if not isinstance(stmt, ast.FunctionDef):
            continue
        if stmt.name == "__new__":
            if stmt.decorator_list:
                continue
            if _stores_and_returns(stmt, holder or _returned_holder(stmt)):
                return "__new__"
            continue
        if not holder or not any(isinstance(d, ast.Name) and d.id == "classmethod" for d in stmt.decorator_list):
            continue
        stores = returns = False
        for inner in iter_nodes(stmt):
            if isinstance(inner, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == holder for t in inner.targets
            ):
                stores = True
            elif isinstance(inner, ast.Return) and isinstance(inner.value, ast.Attribute) and inner.value.attr == holder:
                returns = True
        if stores and returns:
            return stmt.name
    return ""


def _returned_holder(fn: ast.FunctionDef) -> str:
    """The attribute ``__new__`` returns as ``cls.<attr>`` (``return cls._instance``), or ""."""
    params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    for stmt in fn.body:
        if isinstance(stmt, ast.Return):
            value = stmt.value
            if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and params and value.value.id == params[0]:
                return value.attr
    return ""


def _stores_and_returns(fn: ast.FunctionDef, holder: str) -> bool:
    """``cls.<holder> = super().__new__(cls)`` (or ``object.__new__(cls)``) and ``return cls.<holder>``,
    with no other return: every call hands out the same object."""
    if not holder:
        return False
    stores = returns = False
    for inner in iter_nodes(fn):
        if isinstance(inner, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == holder for t in inner.targets):
            value = inner.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "__new__":
                stores = True
        elif isinstance(inner, ast.Return):
            if isinstance(inner.value, ast.Attribute) and inner.value.attr == holder:
                returns = True
            else:
                return False
    return stores and returns
