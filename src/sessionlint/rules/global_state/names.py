"""What a file binds, once per file: imports, module globals, classes, loggers; the name table the scans share."""

from __future__ import annotations

import ast

from sessionlint import collection
from sessionlint.context import FileContext, FunctionNode
from sessionlint.syntax import Walker, const_str, iter_nodes, walk_own
from sessionlint.rules.global_state.targets import GETTERS, IMPORT_CALLS, STATE_OBJECTS, Target

# --------------------------------------------------------------------------------------------
# names of a file


IMPORTED = "global_state.imported"  # ctx.collected key: every module an ``import`` anywhere names


DECLARED = "global_state.declared"  # ctx.collected key: names some function declares ``global``


class ImportedModules:
    """Listener of the file walk: the modules (and their parents) that ``import`` statements name, and
    the names functions declare ``global`` (module globals bound outside the top level)."""

    def __init__(self, ctx: FileContext) -> None:
        self.modules: set[str] = set()
        self.declared: set[str] = set()
        ctx.collected[IMPORTED] = self.modules
        ctx.collected[DECLARED] = self.declared

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.modules.update(_module_prefixes(alias.name))

    def visit_Global(self, node: ast.Global) -> None:
        self.declared.update(node.names)


class _FileNames:
    """Import aliases of a file, with ``x = pytest.importorskip("m")`` counted as an import."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.aliases = dict(ctx.aliases)
        self.not_imports: set[str] = set()  # module-level names bound otherwise
        self.loggers: dict[str, str | None] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.not_imports.add(stmt.name)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if not isinstance(target, ast.Name):
                        continue
                    imported = _imported_module(ctx.qualify, stmt.value)
                    if imported is not None:
                        self.aliases[target.id] = imported
                        continue
                    self.not_imports.add(target.id)
        self.modules: set[str] = {v for k, v in self.aliases.items() if k not in ctx.aliases}  # importorskip
        if IMPORTED not in ctx.collected:  # a context built without the extraction walk (tests, tools)
            walker = Walker()
            walker.add(ImportedModules(ctx))
            walker.walk(ctx.tree.body)
        self.modules.update(ctx.collected[IMPORTED])  # type: ignore[arg-type]
        self.module_saved: dict[str, set[str]] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                found = _module_reads(ctx, stmt.value)
                if found:
                    self.module_saved[stmt.targets[0].id] = found
        self.classes: dict[str, ast.ClassDef] = {}
        self._collect_classes(ctx.tree.body, None)
        self.cm_cache: dict[str, tuple[list, list[str]]] = {}
        self.helper_cache: dict[int, list[Target]] = {}
        self._reads: list[tuple[ast.AST, set[str], set[str]]] | None = None
        self._autouse: set[str] | None = None
        self._initial: dict[str, str] | None = None
        extras = tuple(getattr(ctx.settings, "extra_global_targets", ()) or ())
        self.warnings = any(e == "warnings" or e.startswith("warnings.") for e in extras)
        self.extras = tuple(e for e in extras if not (e == "warnings" or e.startswith("warnings.")))
        kinds = (ctx.facts.rule_data.get(collection.KEY) or {}).get("kinds", {})  # collection.py's view
        self.unittest_classes = {
            name for name in self.classes
            if self._unittest(name, set()) or kinds.get(name) in (collection.UNITTEST, collection.MAYBE)
        }  # fmt: skip

    def read_elsewhere(self, name: str, writer: FunctionNode) -> bool:
        """Whether a function other than ``writer`` and its closures (a test, fixture, helper or method)
        reads global ``name`` before assigning it."""
        if self._reads is None:
            self._reads = []
            for node in iter_nodes(self.ctx.tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._reads.append((node, *_global_reads(node)))
                elif isinstance(node, ast.Lambda):
                    self._reads.append((node, {n.id for n in iter_nodes(node.body) if isinstance(n, ast.Name)}, set()))
        for node, loaded, _ in self._reads:
            if name not in loaded or node is writer or _inside(node, writer):
                continue
            # a closure of a function that assigns the global before it reads it sees that function's value
            if any(
                name in assigns and name not in reads and _inside(node, outer) for outer, reads, assigns in self._reads
            ):
                continue
            return True
        return False

    def method(self, cls: str, name: str) -> FunctionNode | None:
        """The method ``name`` of class ``cls`` or of a base class defined in this module."""
        for node in self.class_chain(cls):
            for stmt in node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                    return stmt
        return None

    def autouse_rebound(self) -> set[str]:
        """Module globals an autouse fixture of this module (any scope) rebinds (``global X; X = ...``)."""
        if self._autouse is None:
            self._autouse = set()
            for fn in self.ctx.functions:
                if fn.fixture is None or not fn.fixture.autouse or fn.cls is not None:
                    continue
                declared: set[str] = set()
                stored: set[str] = set()
                for node in walk_own(fn.node):
                    if isinstance(node, ast.Global):
                        declared.update(node.names)
                    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        stored.add(node.id)
                self._autouse |= declared & stored
        return self._autouse

    def initial(self) -> dict[str, str]:
        """Module globals bound to a fresh value (``progress = 0``, ``_cache = {}``): name -> its dump."""
        if self._initial is None:
            from sessionlint.rules.global_state.writes import fresh_value

            self._initial = {}
            for name, value in self.ctx.module_globals.items():
                fresh = fresh_value(value)
                if fresh:
                    self._initial[name] = fresh
        return self._initial

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node``."""
        return self.ctx.segment(node)

    def _collect_classes(self, body: list[ast.stmt], outer: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                name = f"{outer}.{stmt.name}" if outer else stmt.name
                self.classes[name] = stmt
                self._collect_classes(stmt.body, name)

    def _unittest(self, name: str, seen: set[str]) -> bool:
        node = self.classes.get(name)
        if node is None or name in seen:
            return False
        seen.add(name)
        for base in node.bases:
            qual = self.ctx.qualify(base) or ""
            if "unittest" in qual or qual.endswith("TestCase") or qual.startswith("django.test"):
                return True
            if isinstance(base, ast.Name) and self._unittest(base.id, seen):
                return True
        return False

    def class_chain(self, cls: str | None) -> list[ast.ClassDef]:
        """The class of a method, the classes around it, and their base classes defined in this module."""
        if not cls:
            return []
        parts = cls.split(".")
        queue = [
            self.classes[".".join(parts[:i])] for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in self.classes
        ]
        found: list[ast.ClassDef] = []
        while queue and len(found) < 50:
            node = queue.pop(0)
            if node in found:
                continue
            found.append(node)
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in self.classes:
                    queue.append(self.classes[base.id])
        return found


def _inside(node: ast.AST, outer: ast.AST) -> bool:
    start, end = outer.lineno, outer.end_lineno or 0  # type: ignore[attr-defined]
    return node is not outer and start <= node.lineno and (node.end_lineno or 0) <= end  # type: ignore[attr-defined]


def _global_reads(fn: FunctionNode) -> tuple[set[str], set[str]]:
    """(names ``fn`` reads from the module, module globals it assigns). A name is read when it is loaded
    before any assignment to it (``global X; X = 1`` then reading ``X`` reads the function's own value, as
    does reading it after ``exec(src, globals())`` that binds it); names ``fn`` binds locally are not."""
    declared: set[str] = set()
    local: set[str] = set()
    loads: dict[str, tuple[int, int]] = {}
    stores: dict[str, tuple[int, int]] = {}
    for node in walk_own(fn):
        if isinstance(node, ast.Name):
            pos = (node.lineno, node.col_offset)
            if isinstance(node.ctx, ast.Load):
                if node.id not in loads or pos < loads[node.id]:
                    loads[node.id] = pos
            else:
                local.add(node.id)
        elif isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            pos = (node.lineno, node.col_offset)  # ``X += 1`` reads X first
            if node.target.id not in loads or pos < loads[node.target.id]:
                loads[node.target.id] = pos
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            end = (node.end_lineno or node.lineno, node.end_col_offset or 0)  # the value is read first
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name) and (target.id not in stores or end < stores[target.id]):
                    stores[target.id] = end
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "exec"
            and any(isinstance(a, ast.Call) and isinstance(a.func, ast.Name) and a.func.id == "globals"
                    for a in node.args[1:])
        ):  # fmt: skip
            end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
            for bound in _exec_binds(node.args[0] if node.args else None):
                if bound not in stores or end < stores[bound]:
                    stores[bound] = end
    found: set[str] = set()
    anything = stores.get("*")
    for name, pos in loads.items():
        if name in local and name not in declared:
            continue  # a local of ``fn``
        first = min((p for p in (stores.get(name), anything) if p is not None), default=None)
        if first is not None and first < pos:
            continue  # assigned before it is read
        found.add(name)
    return found, {n for n in stores if n in declared or n == "*"} | (set(stores) - local)


def _exec_binds(source: ast.expr | None) -> set[str]:
    """Names the code run by ``exec(source, globals())`` binds at its top level; ``{"*"}`` when unknown."""
    text = const_str(source) if source is not None else None
    if text is None:
        return {"*"}
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in stmt.names)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                found.update(n.id for n in iter_nodes(target) if isinstance(n, ast.Name))
    return found


def _module_reads(ctx: FileContext, value: ast.expr) -> set[str]:
    """Families a module-level value saves (``_LOCALE = locale.setlocale(locale.LC_ALL)``)."""
    found: set[str] = set()
    for node in iter_nodes(value):
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = ctx.qualify(node) or ""
            if dotted in STATE_OBJECTS:
                found.add(STATE_OBJECTS[dotted])
            elif dotted in GETTERS:
                found.add(GETTERS[dotted])
    return found


def _module_prefixes(name: str) -> list[str]:
    """``import a.b.c`` binds the modules ``a``, ``a.b`` and ``a.b.c``."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _imported_module(qualify, value: ast.expr) -> str | None:
    """``pytest.importorskip("m")`` / ``importlib.import_module("m")`` -> ``m``."""
    if isinstance(value, ast.Call) and value.args and (qualify(value.func) or "") in IMPORT_CALLS:
        return const_str(value.args[0])
    return None
