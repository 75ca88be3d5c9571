"""Module names a test file computes for ``importlib.import_module``, when they are provable.

fastapi's tutorial tests load the module under test by name::

    @pytest.fixture(name="mod_path", params=[pytest.param("app02"), pytest.param("app02_an")])
    def get_mod_path(request):
        return f"docs_src.settings.{request.param}"

    @pytest.fixture(name="main_mod")
    def get_main_mod(mod_path):
        return importlib.import_module(f"{mod_path}.main")

    def test_settings(main_mod, monkeypatch):
        monkeypatch.setenv("ADMIN_EMAIL", "admin@example.com")
        settings = main_mod.get_settings()

A name is provable when it is a string constant, or an f-string or ``+`` over constants,
``request.param`` of a fixture whose ``params`` are string constants, fixtures of the same
file that provably hand out strings, and local names bound once to such a value. Anything
else (a loop variable, a call, a fixture of another file) is not known, and nothing is said.
Only files whose text mentions ``import_module`` or ``__import__`` are read.
"""

from __future__ import annotations

import ast
from itertools import product

from sessionlint.context import FileContext, FunctionNode
from sessionlint.syntax import own_nodes

_LIMIT = 32  # values of one expression; beyond it the name is not known


class Strings:
    """What the fixtures of one file provably hand out: strings, or modules by name."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.fixtures = {fn.fixture.name: fn for fn in ctx.fixtures() if fn.fixture is not None and fn.cls is None}
        self._values: dict[str, tuple[str, ...] | None] = {}
        self._modules: dict[str, tuple[str, ...] | None] = {}

    # strings -----------------------------------------------------------------------------
    def fixture_values(self, name: str, depth: int = 0) -> tuple[str, ...] | None:
        if name in self._values:
            return self._values[name]
        self._values[name] = None  # a cycle is not known
        fn = self.fixtures.get(name)
        found = None
        if fn is not None and depth < 4:
            returned = _returned(fn.node)
            if returned:
                found = self._union([self.values(value, fn.node, depth + 1) for value in returned])
        self._values[name] = found
        return found

    def values(self, node: ast.expr | None, fn: FunctionNode, depth: int = 0) -> tuple[str, ...] | None:
        if node is None or depth > 6:
            return None
        if isinstance(node, ast.Constant):
            return (node.value,) if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            parts: list[tuple[str, ...]] = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    if value.format_spec is not None or value.conversion not in (-1, ord("s")):
                        return None
                    found = self.values(value.value, fn, depth + 1)
                else:
                    found = self.values(value, fn, depth + 1)
                if found is None:
                    return None
                parts.append(found)
            return self._join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.values(node.left, fn, depth + 1), self.values(node.right, fn, depth + 1)
            return self._join([left, right]) if left is not None and right is not None else None
        if isinstance(node, ast.Attribute) and node.attr == "param" and isinstance(node.value, ast.Name):
            if node.value.id == "request" and "request" in _params(fn):
                return self._params(fn)
            return None
        if isinstance(node, ast.Name):
            if node.id in _params(fn):
                return self.fixture_values(node.id, depth + 1)
            bound = _bound_once(fn, node.id)
            return self.values(bound, fn, depth + 1) if bound is not None else None
        return None

    def _params(self, fn: FunctionNode) -> tuple[str, ...] | None:
        for dec in fn.decorator_list:
            if not isinstance(dec, ast.Call):
                continue
            for keyword in dec.keywords:
                if keyword.arg == "params" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    found: list[str] = []
                    for item in keyword.value.elts:
                        if isinstance(item, ast.Call) and (self.ctx.qualify(item.func) or "").endswith("param"):
                            item = item.args[0] if len(item.args) == 1 else None  # type: ignore[assignment]
                        if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
                            return None
                        found.append(item.value)
                    return tuple(found) or None
        return None

    @staticmethod
    def _join(parts: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
        total = 1
        for part in parts:
            if part is None:
                return None
            total *= len(part)
        if total > _LIMIT:
            return None
        return tuple(dict.fromkeys("".join(p) for p in product(*parts)))  # type: ignore[arg-type]

    @staticmethod
    def _union(found: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
        if any(f is None for f in found):
            return None
        merged = tuple(dict.fromkeys(v for f in found for v in f))  # type: ignore[union-attr]
        return merged if len(merged) <= _LIMIT else None

    # modules -----------------------------------------------------------------------------
    def imported(self, call: ast.Call, fn: FunctionNode) -> tuple[str, ...] | None:
        """The modules ``importlib.import_module(...)`` or ``__import__(...)`` loads, when provable."""
        if not call.args or call.keywords or len(call.args) != 1:
            return None
        target = self.ctx.qualify(call.func)
        if target not in ("importlib.import_module", "__import__"):
            return None
        return self.values(call.args[0], fn)

    def fixture_modules(self, name: str) -> tuple[str, ...] | None:
        """The modules a fixture of this file hands out, when it returns ``import_module(...)``."""
        if name in self._modules:
            return self._modules[name]
        self._modules[name] = None
        fn = self.fixtures.get(name)
        found = None
        if fn is not None:
            returned = _returned(fn.node)
            modules: list[tuple[str, ...] | None] = []
            for value in returned:
                if isinstance(value, ast.Name):
                    value = _bound_once(fn.node, value.id)  # type: ignore[assignment]
                modules.append(self.imported(value, fn.node) if isinstance(value, ast.Call) else None)
            found = self._union(modules) if modules else None
        self._modules[name] = found
        return found


def _params(fn: FunctionNode) -> set[str]:
    return {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}


def _returned(fn: FunctionNode) -> list[ast.expr]:
    """The values a fixture returns or yields (none known: an empty list)."""
    found: list[ast.expr] = []
    for node in own_nodes(fn):
        if isinstance(node, (ast.Return, ast.Yield)):
            if node.value is None:
                return []
            found.append(node.value)
    return found


def _bound_once(fn: FunctionNode, name: str) -> ast.expr | None:
    """The value of a local name assigned exactly once (``mod_path = f"..."``), else None."""
    value = None
    stores = 0
    for node in own_nodes(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id == name:
                value = node.value
        elif isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            stores += 1
    return value if stores == 1 else None
