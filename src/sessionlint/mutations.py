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
from sessionlint.syntax import iter_nodes, push_children, short

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
# Calls whose result, iterated, hands out the container's own members (``for k, v in x.items()``).
_ITER_VIEWS = frozenset({"items", "values"})
_INPLACE_DISPLAYS = (ast.List, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)


def chain_links(node: ast.AST):
    """The links of a subscript/attribute chain, outermost first, down to its base.

    ``x.get(k)`` and ``getattr(x, "name")`` are links too: they hand out a part of ``x``.
    """
    while True:
        yield node
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _VIEW_METHODS
        ):
            node = node.func.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            node = node.args[0]
        else:
            return


def alias_key(node: ast.AST) -> str | None:
    """The alias key of one chain link: ``x`` for a name, ``self.x`` for an attribute of a name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _root(node: ast.AST) -> str | None:
    """The name at the base of a subscript/attribute chain, or None."""
    base = None
    for base in chain_links(node):
        pass
    return base.id if isinstance(base, ast.Name) else None


_NESTED = (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Walker:
    """Follow the tracked values through one function; ``found`` collects the writes.

    ``alias`` maps a local name, or a dotted ``self.x`` key, to the tracked value it
    refers to. Nested functions and lambdas are walked too (closures: ``def bump():
    state["n"] += 1``), with their own parameters and locals shadowing.
    """

    def __init__(
        self, ctx: FileContext, names: set[str], yield_line: int | None, extra: dict[str, str] | None = None
    ) -> None:
        self.ctx = ctx
        self.alias: dict[str, str] = {n: n for n in names}
        if extra:
            self.alias.update(extra)
        self.yield_line = yield_line
        self.found: list[Mutation] = []
        self.current: ast.stmt | None = None  # the statement being walked
        self.scope: ast.AST | None = None  # the function being walked
        self.finally_depth = 0  # > 0 inside a ``finally`` block
        # ``saved = x.attr`` (local -> the chain it read), and the chains a ``finally`` puts back from
        # such a local (``x.attr = saved``): writes to exactly those chains are restored
        self.saved: dict[str, str] = {}
        self.restoring: frozenset[str] = frozenset()
        self.set_items: set[str] = set()  # chains of the items this function assigned (``x["k"] = v``)
        self.memo: set[str] = set()  # ``cache[k]`` inside ``if k not in cache:``

    # events ---------------------------------------------------------------
    def _tracked(self, node: ast.AST) -> str | None:
        alias = self.alias
        if not alias:
            return None
        if isinstance(node, ast.Name):  # the common case, without the chain walk
            return alias.get(node.id)
        for link in chain_links(node):
            key = alias_key(link)
            if key is not None and key in alias:
                return alias[key]
        return None

    def _emit(self, name: str, node: ast.AST, what: str, ambiguous: bool = False) -> None:
        after = self.yield_line is not None and node.lineno > self.yield_line
        self.found.append(Mutation(name, self.ctx.span(node), what, after, ambiguous))

    def _may_call_on_tracked(self, node: ast.AST) -> bool:
        """Whether the node's source lines may call something on a tracked value (a cheap text test
        before a walk): they hold a call's parenthesis and the name of a tracked value.

        A call is reported only when its receiver or first argument is rooted at a tracked name,
        whose identifier then appears in the source; non-ASCII lines (NFKC identifiers) are walked.
        """
        if not self.alias:
            return False
        first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", None)
        if not first or last is None or last > len(self.ctx.lines):
            return True
        start, end = self.ctx.text_range(first, last)
        text = self.ctx.text[start:end]
        if not text.isascii():
            return True
        return "(" in text and any(name in text for name in self.alias)

    def _calls(self, node: ast.AST) -> None:
        """Mutating calls anywhere inside an expression; lambdas are closures over the same values."""
        if not self._may_call_on_tracked(node):
            return
        statement_call = node.value if isinstance(node, ast.Expr) else None
        stack: list = [node]
        while stack:
            cur = stack.pop()
            if not isinstance(cur, ast.AST):
                continue
            if cur.__class__ is ast.Lambda:
                self._lambda(cur)
                continue
            if isinstance(cur, _NESTED):
                continue
            if isinstance(cur, ast.Call):
                self._call(cur, used=cur is not statement_call)
            push_children(cur, stack)

    def _inner(self, args: ast.arguments, local: set[str]) -> Walker | None:
        """A walker for a nested function or lambda: its parameters and locals shadow."""
        shadow = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        shadow |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        shadow |= local
        alias = {k: v for k, v in self.alias.items() if k.split(".", 1)[0] not in shadow}
        if not alias:
            return None
        inner = type(self).__new__(type(self))
        inner.__dict__.update(self.__dict__)
        inner.alias = alias
        return inner

    def _lambda(self, node: ast.Lambda) -> None:
        if not self.alias:
            return
        inner = self._inner(node.args, set())
        if inner is None:
            return
        # a lambda's body is its return value, but ``lambda: x.append(1)`` is a callback run for its effect
        inner._calls(ast.Expr(value=node.body))

    def _nested(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.alias:
            return
        declared: set[str] = set()
        assigned: set[str] = set()
        for sub in iter_nodes(node):
            if isinstance(sub, ast.Nonlocal):
                declared.update(sub.names)
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                assigned.add(sub.id)
        if not self._runs(node.name):
            return
        inner = self._inner(node.args, assigned - declared)
        if inner is not None:
            inner.scope = node
            inner.body(node.body)

    def _runs(self, name: str) -> bool:
        """Whether the enclosing function calls the nested function ``name`` or hands it to a call."""
        for sub in iter_nodes(self.scope) if self.scope is not None else ():
            if not isinstance(sub, ast.Call):
                continue
            if isinstance(sub.func, ast.Name) and sub.func.id == name:
                return True
            for arg in (*sub.args, *(k.value for k in sub.keywords)):
                if isinstance(arg, ast.Name) and arg.id == name:
                    return True
        return False

    def _call(self, call: ast.Call, used: bool) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and any(
            k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
        ):  # pandas: df.drop(columns=..., inplace=True)
            name = self._tracked(func.value)
            if name is not None:
                self._emit(name, call, f"{func.attr}(inplace=True) on {short(func.value)}")
                return
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
        self.current = stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._nested(stmt)
            self.alias.pop(stmt.name, None)
            return
        if isinstance(stmt, ast.ClassDef):
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
        elif isinstance(stmt, ast.If):
            self._calls(stmt.test)
            memo = _memo_key(stmt.test) if self.alias else None
            if memo is not None:  # ``if k not in cache: cache[k] = build(k)``: filled once, the same for all
                self.memo.add(memo)
                self.body(stmt.body)
                self.memo.discard(memo)
            else:
                self.body(stmt.body)
            self.body(stmt.orelse)
        elif isinstance(stmt, ast.While):
            self._calls(stmt.test)
            self.body(stmt.body)
            self.body(stmt.orelse)
        elif isinstance(stmt, (ast.Try, ast.TryStar)):
            outer = self.restoring
            put_back = self._put_back(stmt.finalbody) if self.saved and stmt.finalbody else None
            if put_back:
                self.restoring = outer | put_back
            self.body(stmt.body)
            for handler in stmt.handlers:
                if handler.name:
                    self.alias.pop(handler.name, None)
                self.body(handler.body)
            self.body(stmt.orelse)
            self.finally_depth += 1  # subclasses read it: a write in ``finally`` restores
            self.body(stmt.finalbody)
            self.finally_depth -= 1
            self.restoring = outer
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

    def _source(self, value: ast.expr) -> str | None:
        """The tracked value an expression is (not a copy of), or None."""
        if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
            return None  # ``x[:]``: a new list (numpy slices are views, but precision first)
        if isinstance(value, (ast.Name, ast.Subscript, ast.Attribute)) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "getattr"
        ):
            return self._tracked(value)
        return None

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            source = self._source(value)
            if source is not None:
                self.alias[target.id] = source
                self._aliased(target.id, source)
                if isinstance(value, (ast.Attribute, ast.Subscript)):
                    chain = chain_text(value)
                    if chain is not None:
                        self.saved[target.id] = chain
            else:
                self.alias.pop(target.id, None)
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                    # ``previous = client.ds.metadata()``: a reading of the object whose attribute is put back
                    owner = chain_text(value.func.value)
                    if owner is not None and self._tracked(value.func.value) is not None:
                        self.saved[target.id] = owner + ".()"
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            key = alias_key(target) if isinstance(target, ast.Attribute) else None
            if key is not None and key in self.alias:  # ``self.x = ...`` rebinds the alias, writes nothing shared
                self.alias.pop(key)
                return
            name = self._tracked(target.value)
            if name is not None:
                chain = chain_text(target) if self.restoring or isinstance(target, ast.Subscript) else None
                if chain is not None and chain in self.restoring:
                    return  # saved before the ``try``, put back in its ``finally``
                if chain is not None and chain in self.memo:
                    return  # a memo: the first test to ask fills the entry every test would get
                if chain is not None and isinstance(target, ast.Subscript):
                    self.set_items.add(chain)
                kind = "item" if isinstance(target, ast.Subscript) else "attribute"
                self._emit(name, target, f"{kind} assignment to {short(target)}")
        elif isinstance(target, (ast.Tuple, ast.List)):
            # ``data, meta = loaded``: each part is a member of the tracked value
            source = self._source(value)
            if source is not None and not isinstance(value, (ast.Tuple, ast.List)):
                for elt in target.elts:
                    inner = elt.value if isinstance(elt, ast.Starred) else elt
                    if isinstance(inner, ast.Name) and not isinstance(elt, ast.Starred):
                        self.alias[inner.id] = source
                        self._aliased(inner.id, source)
                    else:
                        self._unbind(inner)
                return
            for elt in target.elts:
                self._assign(elt, ast.Constant(None))
        elif isinstance(target, ast.Starred):
            self._assign(target.value, ast.Constant(None))

    def _put_back(self, finalbody: list[ast.stmt]) -> frozenset[str]:
        """Chains a ``finally`` assigns from a local saved from the same chain: ``x.meta = previous``."""
        found = set()
        for stmt in finalbody:
            if (
                isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Name)
                and isinstance(stmt.targets[0], (ast.Attribute, ast.Subscript))
            ):  # fmt: skip
                target = stmt.targets[0]
                chain = chain_text(target)
                saved = self.saved.get(stmt.value.id)
                if chain is not None and saved is not None and (
                    saved == chain or (isinstance(target, ast.Attribute) and saved == f"{chain_text(target.value)}.()")
                ):
                    found.add(chain)
        return frozenset(found)

    def _aliased(self, name: str, source: str) -> None:
        """Hook: ``name`` now refers to (a part of) the tracked value ``source``."""

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
                if isinstance(target, ast.Subscript) and self.set_items and chain_text(target) in self.set_items:
                    return  # removes the item this function added (the assignment is what is reported)
                self._emit(name, target, f"del {short(target)}")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._delete(elt)

    def _bind_loop(self, target: ast.expr, iterable: ast.expr) -> None:
        source = self._tracked(iterable) if isinstance(iterable, (ast.Name, ast.Subscript, ast.Attribute)) else None
        if source is None and isinstance(iterable, ast.Call):
            # ``for k, v in x.items()``, ``for v in x.values()``, ``for i, v in enumerate(x)``
            func = iterable.func
            if isinstance(func, ast.Attribute) and func.attr in _ITER_VIEWS and not iterable.args:
                source = self._tracked(func.value)
            elif isinstance(func, ast.Name) and func.id == "enumerate" and iterable.args:
                source = self._tracked(iterable.args[0])
        if source is not None and isinstance(target, ast.Name):
            self.alias[target.id] = source
        elif source is not None and isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
            for elt in target.elts[1:]:  # the key or index is not a member
                self.alias[elt.id] = source
            self._unbind(target.elts[0])
        else:
            self._unbind(target)

    def _unbind(self, target: ast.expr) -> None:
        for node in iter_nodes(target):
            if isinstance(node, ast.Name):
                self.alias.pop(node.id, None)


def _memo_key(test: ast.expr) -> str | None:
    """``k not in cache`` -> ``cache[k]`` (as ``chain_text`` writes it), for a name or constant key."""
    if (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn)
        and isinstance(test.left, (ast.Name, ast.Constant))
    ):  # fmt: skip
        container = chain_text(test.comparators[0])
        if container is not None:
            key = test.left
            return f"{container}[{key.id}]" if isinstance(key, ast.Name) else f"{container}[{key.value!r}]"
    return None


def chain_text(node: ast.expr) -> str | None:
    """``x.a["k"].b`` as text, for a chain of names, attributes and constant or name subscripts; else None."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append("." + node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            key = node.slice
            if isinstance(key, ast.Constant):
                parts.append(f"[{key.value!r}]")
            elif isinstance(key, ast.Name):
                parts.append(f"[{key.id}]")
            else:
                return None
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return "".join(reversed(parts))
        else:
            return None


def find_mutations(
    ctx: FileContext,
    fn: FunctionNode,
    names: set[str],
    yield_line: int | None = None,
    extra: dict[str, str] | None = None,
) -> list[Mutation]:
    """Writes, in ``fn``'s body and its closures, to the values the ``names`` parameters hold.

    ``extra`` adds aliases known before the body runs: ``{"self.state": "state"}`` when a
    class fixture bound ``self.state = state``.
    """
    if not names and not extra:
        return []
    if not _named_in_body(ctx, fn, {*names, *(key.split(".", 1)[0] for key in extra or ())}):
        return []  # half the tests with parameters never name one in their body: nothing to walk
    walker = Walker(ctx, names, yield_line, extra)
    walker.scope = fn
    walker.body(fn.body)
    return walker.found


def _named_in_body(ctx: FileContext, fn: FunctionNode, names: set[str]) -> bool:
    """Whether the text of ``fn``'s body may name one of ``names`` (a plain substring test;
    non-ASCII text may spell an identifier another way, so it always may)."""
    start, end = ctx.text_range(fn.body[0].lineno, fn.end_lineno or fn.body[-1].lineno)
    text = ctx.text[start:end]
    return not text.isascii() or any(name in text for name in names)

