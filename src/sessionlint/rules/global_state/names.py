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


class ImportedModules:
    """Listener of the file walk: the modules (and their parents) that ``import`` statements name."""

    def __init__(self, ctx: FileContext) -> None:
        self.modules: set[str] = set()
        ctx.collected[IMPORTED] = self.modules

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.modules.update(_module_prefixes(alias.name))


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
        self.helper_cache: dict[str, list[Target]] = {}
        self._lines: list[str] | None = None
        self._reads: list[tuple[ast.AST, set[str]]] | None = None
        extras = tuple(getattr(ctx.settings, "extra_global_targets", ()) or ())
        self.warnings = any(e == "warnings" or e.startswith("warnings.") for e in extras)
        self.extras = tuple(e for e in extras if not (e == "warnings" or e.startswith("warnings.")))
        kinds = (ctx.facts.rule_data.get(collection.KEY) or {}).get("kinds", {})  # collection.py's view
        self.unittest_classes = {
            name for name in self.classes
            if self._unittest(name, set()) or kinds.get(name) in (collection.UNITTEST, collection.MAYBE)
        }  # fmt: skip

    def read_elsewhere(self, name: str, writer: FunctionNode) -> bool:
        """Whether a function other than ``writer`` (a test, fixture, helper or method) reads global ``name``."""
        if self._reads is None:
            self._reads = []
            for node in iter_nodes(self.ctx.tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    loaded = {n.id for n in walk_own(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                    if isinstance(node, ast.Lambda):
                        loaded |= {n.id for n in iter_nodes(node.body) if isinstance(n, ast.Name)}
                    self._reads.append((node, loaded))
        return any(node is not writer and name in loaded for node, loaded in self._reads)

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` (``ast.get_source_segment`` without re-splitting the file)."""
        if self._lines is None:
            splitter = getattr(ast, "_splitlines_no_ff", None)
            self._lines = splitter(self.ctx.text) if splitter else self.ctx.text.splitlines(keepends=True)
        lines = self._lines
        try:
            first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined,operator]
            start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ast.unparse(node)
        if end is None or last >= len(lines):
            return ast.unparse(node)
        if first == last:
            return lines[first].encode()[start:end].decode()
        parts = [lines[first].encode()[start:].decode()]
        parts += lines[first + 1 : last]
        parts.append(lines[last].encode()[:end].decode())
        return "".join(parts)

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
