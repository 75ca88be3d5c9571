"""Which statements of a function write to the objects its parameters name.

A flow-insensitive walk in source order: aliases (``b = a``, ``x = a["k"]``,
``for item in a``) follow the value; rebinding a name (``a = dict(a)``,
``a = copy.deepcopy(a)``, any other assignment) stops tracking it from there
on. When in doubt the walk stays silent: a missed mutation costs less than a
false alarm.
"""

from __future__ import annotations

import ast

from sessionlint.context import FileContext, FunctionNode
from sessionlint.model import Mutation
from sessionlint.syntax import short

# Methods that mutate a builtin container in place.
CONTAINER_METHODS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "popitem",
        "add", "discard", "sort", "reverse", "difference_update", "intersection_update",
        "symmetric_difference_update", "appendleft", "extendleft", "popleft", "rotate", "move_to_end",
    }
)  # fmt: skip
# Of those, the names just as common on objects that are not containers
# (``session.add(obj)``, ``client.update(...)``): they count only when the
# value is known to be a container.
AMBIGUOUS_METHODS = frozenset({"add", "update", "remove", "discard", "clear", "pop", "rotate"})
# Functions that mutate their first argument in place.
MUTATING_FUNCTIONS = frozenset(
    {
        "random.shuffle", "numpy.random.shuffle", "heapq.heappush", "heapq.heappop", "heapq.heapify",
        "heapq.heapreplace", "heapq.heappushpop", "bisect.insort", "bisect.insort_left",
        "bisect.insort_right", "setattr", "delattr", "dict.update", "dict.setdefault", "dict.clear",
        "dict.pop", "list.append", "list.extend", "list.insert", "list.sort", "list.clear", "set.add",
        "set.update",
    }
)  # fmt: skip
# In-place methods that return something: used as a value, they still mutate.
# Every other container method returns None, so a call whose result is used
# (``idx = idx.insert(1, x)``) is another type's method that returns a new object.
VALUE_RETURNING_METHODS = frozenset({"pop", "popitem", "setdefault", "popleft"})
_VIEW_METHODS = frozenset({"get", "setdefault"})
_INPLACE_DISPLAYS = (ast.List, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)


def _root(node: ast.AST) -> str | None:
    """The name at the base of a subscript/attribute chain, or None."""
    while True:
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _VIEW_METHODS
        ):
            node = node.func.value
        else:
            break
    return node.id if isinstance(node, ast.Name) else None


_NESTED = (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class _Walker:
    def __init__(self, ctx: FileContext, names: set[str], yield_line: int | None) -> None:
        self.ctx = ctx
        self.alias: dict[str, str] = {n: n for n in names}
        self.yield_line = yield_line
        self.found: list[Mutation] = []

    # events ---------------------------------------------------------------
    def _tracked(self, node: ast.AST) -> str | None:
        root = _root(node)
        return self.alias.get(root) if root is not None else None

    def _emit(self, name: str, node: ast.AST, what: str, ambiguous: bool = False) -> None:
        after = self.yield_line is not None and node.lineno > self.yield_line
        self.found.append(Mutation(name, self.ctx.span(node), what, after, ambiguous))

    def _mentions_tracked(self, node: ast.AST) -> bool:
        """Whether the node's source lines may name a tracked value (a cheap text test before a walk).

        A call is reported only when its receiver or first argument is rooted at a tracked name,
        whose identifier then appears in the source; non-ASCII lines (NFKC identifiers) are walked.
        """
        if not self.alias:
            return False
        lines = self.ctx.lines
        first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", None)
        if not first or last is None or last > len(lines):
            return True
        text = lines[first - 1] if first == last else "\n".join(lines[first - 1 : last])
        if not text.isascii():
            return True
        return any(name in text for name in self.alias)

    def _calls(self, node: ast.AST) -> None:
        """Mutating calls anywhere inside an expression, nested functions excluded."""
        if not self._mentions_tracked(node):
            return
        statement_call = node.value if isinstance(node, ast.Expr) else None
        stack: list = [node]
        while stack:
            cur = stack.pop()
            if not isinstance(cur, ast.AST) or isinstance(cur, _NESTED):
                continue
            if isinstance(cur, ast.Call):
                self._call(cur, used=cur is not statement_call)
            for field in cur._fields:  # ast.iter_child_nodes without its generators
                value = getattr(cur, field, None)
                if value.__class__ is list:
                    stack.extend(value)
                elif isinstance(value, ast.AST):
                    stack.append(value)

    def _call(self, call: ast.Call, used: bool) -> None:
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in CONTAINER_METHODS
            and (not used or func.attr in VALUE_RETURNING_METHODS)
        ):
            name = self._tracked(func.value)
            if name is not None:
                what = f"{func.attr}() on {short(func.value)}"
                self._emit(name, call, what, func.attr in AMBIGUOUS_METHODS)
                return
        if call.args:
            qual = self.ctx.qualify(func)
            if qual in MUTATING_FUNCTIONS or qual in getattr(self.ctx.settings, "extra_mutating_functions", ()):
                name = self._tracked(call.args[0])
                if name is not None:
                    self._emit(name, call, f"{qual}() on {short(call.args[0])}")

    # statements -----------------------------------------------------------
    def body(self, stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            self.stmt(stmt)

    def stmt(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.alias.pop(stmt.name, None)
            return
        if isinstance(stmt, ast.Assign):
            self._calls(stmt.value)
            for target in stmt.targets:
                self._assign(target, stmt.value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self._calls(stmt.value)
                self._assign(stmt.target, stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            self._calls(stmt.value)
            self._augassign(stmt)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self._delete(target)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self._calls(stmt.iter)
            self._bind_loop(stmt.target, stmt.iter)
            self.body(stmt.body)
            self.body(stmt.orelse)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self._calls(item.context_expr)
                if item.optional_vars is not None:
                    self._unbind(item.optional_vars)
            self.body(stmt.body)
        elif isinstance(stmt, (ast.If, ast.While)):
            self._calls(stmt.test)
            self.body(stmt.body)
            self.body(stmt.orelse)
        elif isinstance(stmt, (ast.Try, ast.TryStar)):
            self.body(stmt.body)
            for handler in stmt.handlers:
                if handler.name:
                    self.alias.pop(handler.name, None)
                self.body(handler.body)
            self.body(stmt.orelse)
            self.body(stmt.finalbody)
        elif isinstance(stmt, ast.Match):
            self._calls(stmt.subject)
            for case in stmt.cases:
                self.body(case.body)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                self.alias.pop((alias.asname or alias.name).split(".")[0], None)
        elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
            for name in stmt.names:
                self.alias.pop(name, None)
        else:
            self._calls(stmt)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            source = self._tracked(value) if isinstance(value, (ast.Name, ast.Subscript, ast.Attribute)) else None
            if source is not None:
                self.alias[target.id] = source
            else:
                self.alias.pop(target.id, None)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            name = self._tracked(target.value)
            if name is not None:
                kind = "item" if isinstance(target, ast.Subscript) else "attribute"
                self._emit(name, target, f"{kind} assignment to {short(target)}")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._assign(elt, ast.Constant(None))
        elif isinstance(target, ast.Starred):
            self._assign(target.value, ast.Constant(None))

    def _augassign(self, stmt: ast.AugAssign) -> None:
        target = stmt.target
        if isinstance(target, ast.Name):
            name = self.alias.get(target.id)
            if name is not None and isinstance(stmt.value, _INPLACE_DISPLAYS):
                self._emit(name, stmt, f"in-place {short(stmt)}")
            else:
                self.alias.pop(target.id, None)
            return
        name = self._tracked(target.value) if isinstance(target, (ast.Subscript, ast.Attribute)) else None
        if name is not None:
            self._emit(name, stmt, f"augmented assignment to {short(target)}")

    def _delete(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.alias.pop(target.id, None)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            name = self._tracked(target.value)
            if name is not None:
                self._emit(name, target, f"del {short(target)}")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._delete(elt)

    def _bind_loop(self, target: ast.expr, iterable: ast.expr) -> None:
        source = self._tracked(iterable) if isinstance(iterable, (ast.Name, ast.Subscript, ast.Attribute)) else None
        if isinstance(target, ast.Name) and source is not None:
            self.alias[target.id] = source
        else:
            self._unbind(target)

    def _unbind(self, target: ast.expr) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.alias.pop(node.id, None)


def find_mutations(
    ctx: FileContext, fn: FunctionNode, names: set[str], yield_line: int | None = None
) -> list[Mutation]:
    """Writes, in ``fn``'s own body, to the values the ``names`` parameters hold."""
    if not names:
        return []
    walker = _Walker(ctx, names, yield_line)
    walker.body(fn.body)
    return walker.found
