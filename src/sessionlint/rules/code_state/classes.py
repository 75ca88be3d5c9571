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
