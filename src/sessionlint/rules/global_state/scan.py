"""The walk over one test or fixture: statements in source order, dispatching writes and restorations."""

from __future__ import annotations

import ast

from sessionlint.context import FunctionNode
from sessionlint.rules.global_state.events import Event, _is_main_guard, _State
from sessionlint.syntax import const_str, dotted_parts, from_import, position, push_children, walk_own
from sessionlint.rules.global_state.names import _FileNames, _imported_module, _module_prefixes
from sessionlint.rules.global_state.restores import _Restores
from sessionlint.rules.global_state.targets import CONTEXT_LOCALS, QUIET_BELOW, CALL_WRITES, CLEANUP_METHODS, CONTAINER_WRITES, covers, _DICT_WRITES, _encloses, GETTERS, _LIST_WRITES, MOCKER_NAMES, MONKEYPATCH_CLASSES, _patch_kind, RESET_CALLS, STATE_OBJECTS, Target, UNDO_METHODS
from sessionlint.rules.global_state.writes import _Writes

# --------------------------------------------------------------------------------------------
# scanning one function


class _Scan(_Writes, _Restores):
    """The global-state events of one test or fixture (or a helper scanned for restorations)."""

    def __init__(
        self, names: _FileNames, fn: FunctionNode, depth: int = 0, summary: bool = False, cls: str | None = None
    ) -> None:
        self.names = names
        self.cls = cls  # the class of a method: ``self.helper()`` calls resolve in its chain
        self.ctx = names.ctx
        self.fn = fn
        self.depth = depth
        self.summary = summary  # what a module-level function writes, for callers in other files
        self.events: list[Event] = []
        self.teardown_protect: list[Target] = []  # with-blocks around the yield
        args = fn.args
        self.params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self.params.add(extra.arg)
        self.declared_global: set[str] = set()
        self.local_imports: dict[str, str] = {}
        self.local_modules: set[str] = set()
        self.locals: set[str] = set()
        self.yield_pos: tuple[int, int] | None = None
        stack: list[ast.AST] = list(fn.body)
        while stack:  # one walk of the body, nested functions and classes not entered
            node = stack.pop()
            if node is None:
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.locals.add(node.name)
                continue
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, ast.Name):
                if not isinstance(node.ctx, ast.Load):
                    self.locals.add(node.id)
                continue
            if isinstance(node, ast.Global):
                self.declared_global.update(node.names)
            elif isinstance(node, (ast.Yield, ast.YieldFrom)):
                if self.yield_pos is None or position(node) < self.yield_pos:
                    self.yield_pos = position(node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    head = alias.asname or alias.name.split(".")[0]
                    self.local_imports[head] = alias.name if alias.asname else head
                    self.local_modules.update(_module_prefixes(alias.name))
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        self.local_imports[alias.asname or alias.name] = from_import(node, alias.name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.locals.add(node.name)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                # ``plt = pytest.importorskip("matplotlib.pyplot")`` inside the function
                imported = _imported_module(self.ctx.qualify, node.value)
                if imported is not None:
                    self.local_imports[node.targets[0].id] = imported
                    self.local_modules.add(imported)
            push_children(node, stack)
        self.locals -= self.declared_global
        self.locals -= set(self.local_imports)
        self.state_alias: dict[str, str] = {}  # env = os.environ
        self.loggers: dict[str, str | None] = {}  # log = logging.getLogger("x")
        self.saved: dict[str, set[str]] = {}  # old = os.getcwd() -> {"cwd"}
        self.mp_names: set[str] = {p for p in self.params if p == "monkeypatch"}
        self.current: ast.stmt | None = None
        self.raising: set[int] = set()  # statements expected to raise (last in a pytest.raises block)
        self.guarded: set[tuple[str, str]] = set()  # ``if hasattr(obj, "a"): del obj.a``: a cached value dropped

    # names ---------------------------------------------------------------------------------
    def _head(self, name: str) -> str | None:
        if name in self.state_alias:
            return self.state_alias[name]
        if name in self.local_imports:
            return self.local_imports[name]
        if name in self.params and name in MOCKER_NAMES:
            return name  # pytest-mock: mocker.patch(...) restores like mock.patch
        if name in self.params or name in self.locals:
            return None
        return self.names.aliases.get(name, name)

    def qualify(self, node: ast.AST) -> str | None:
        found = dotted_parts(node)
        head = self._head(found[0]) if found is not None else None
        if found is None or head is None:
            return None
        return ".".join([head, *found[1]])

    def import_bound(self, name: str) -> bool:
        """``name`` refers to something bound by an import (a module, an imported class or object)."""
        if name in self.local_imports:
            return True
        if name in self.params or name in self.locals or name in self.names.not_imports:
            return False
        return name in self.names.aliases

    def below_import(self, obj: ast.AST, dotted: str | None) -> bool:
        """``obj`` (the object written to, named ``dotted``) is reached through an import but is not a
        module: ``flask.g`` in ``flask.g.foo = 1``. The imported name itself (``mod`` in ``mod.X = 1``,
        a module or an imported class) is not."""
        if not isinstance(obj, ast.Attribute):
            return False
        return not dotted or (dotted not in self.names.modules and dotted not in self.local_modules)

    def quiet_below(self, dotted: str | None) -> bool:
        """An object below a module whose attributes are not process state SLK301 reports:
        a context-local proxy (``flask.g``), a logging object (left to the logger vocabulary)."""
        if not dotted:
            return True
        return any(dotted == c or dotted.startswith(c + ".") for c in CONTEXT_LOCALS) or dotted.startswith(QUIET_BELOW)

    def kind_of(self, obj: ast.AST, below: bool) -> str:
        """What the object written to is, as far as one file tells: a module, a class (capitalised),
        or an object kept at module level below an imported module (an instance, a configuration)."""
        dotted = self.qualify(obj) or ""
        last = dotted.rsplit(".", 1)[-1]
        if dotted in self.names.modules or dotted in self.local_modules:
            return "module attribute"
        if last[:1].isupper() and not last.isupper():
            return "class attribute"
        return "attribute of module-level object" if below else "module attribute"

    def root(self, node: ast.AST) -> ast.Name | None:
        while isinstance(node, ast.Attribute):
            node = node.value
        return node if isinstance(node, ast.Name) else None

    def text(self, node: ast.AST) -> str:
        return self.names.segment(node)

    def extra_for(self, dotted: str | None) -> str | None:
        if not dotted:
            return None
        for entry in self.names.extras:
            if dotted == entry or dotted.startswith(entry + "."):
                return entry
        return None

    def family_of(self, node: ast.AST) -> tuple[str, str] | None:
        """(family, dotted) when ``node`` is a global state container (os.environ, sys.path, ...)."""
        dotted = self.qualify(node)
        if dotted is None:
            return None
        family = STATE_OBJECTS.get(dotted)
        if family == "warnings" and not self.names.warnings:
            return None
        if family is not None:
            return family, dotted
        return None

    def logger_key(self, node: ast.AST) -> tuple[bool, str | None]:
        """(is a logger, its name or None when not known)."""
        if isinstance(node, ast.Name) and node.id in self.loggers:
            return True, self.loggers[node.id]
        if (
            isinstance(node, ast.Name)
            and node.id in self.names.loggers
            and not (node.id in self.params or node.id in self.locals)
        ):
            return True, self.names.loggers[node.id]
        dotted = self.qualify(node)
        if dotted == "logging.root":
            return True, ""
        if isinstance(node, ast.Call) and self.qualify(node.func) == "logging.getLogger":
            if not node.args:
                return True, ""
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and arg.value in (None, "root", ""):
                return True, ""
            return True, const_str(arg)
        return False, None

    def reads(self, value: ast.AST) -> set[str]:
        """The families whose current value ``value`` reads (a saved value)."""
        found: set[str] = set()
        for node in walk_own(value):
            if isinstance(node, ast.Name):
                if node.id in self.saved:
                    found |= self.saved[node.id]
                if node.id in self.declared_global:
                    found.add("global")
                if node.id in self.loggers:
                    found.add("loglevel")
            if isinstance(node, (ast.Attribute, ast.Name)):
                dotted = self.qualify(node)
                if dotted is None:
                    continue
                if dotted in STATE_OBJECTS:
                    found.add(STATE_OBJECTS[dotted])
                elif dotted in GETTERS:
                    found.add(GETTERS[dotted])
                elif isinstance(node, ast.Attribute):
                    root = self.root(node)
                    if root is not None and self.import_bound(root.id):
                        found.add("attr")
                if self.extra_for(dotted):
                    found.add("extra")
            if isinstance(node, ast.Attribute) and node.attr in ("level", "getEffectiveLevel", "disabled"):
                found.add("loglevel")
            if isinstance(node, ast.Attribute) and node.attr == "cwd":
                found.add("cwd")
            if isinstance(node, ast.Call) and self.qualify(node.func) == "getattr":
                found.add("attr")
        return found

    def saved_value(self, value: ast.AST | None, family: str) -> bool:
        """``value`` holds a value saved from ``family`` before (``old``, ``saved["X"]``)."""
        node = value
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
            node = node.value  # saved["X"], saved.value
        if isinstance(node, ast.Call):
            # str(old), os.fspath(old), dict(saved): a conversion of the saved value, nothing added
            args = [*node.args, *(k.value for k in node.keywords)]
            return bool(args) and all(self.saved_value(a, family) for a in args)
        if not isinstance(node, ast.Name):
            return False
        if family in self.saved.get(node.id, ()):
            return True
        return (
            node.id not in self.locals
            and node.id not in self.params
            and family in self.names.module_saved.get(node.id, ())
        )

    def saved_args(self, call: ast.Call, family: str) -> bool:
        """A write call whose argument is a saved value: ``os.chdir(old)``, ``os.environ.update(saved)``."""
        return any(self.saved_value(a, family) for a in call.args)

    # the walk --------------------------------------------------------------------------------
    def run(self) -> "_Scan":
        self.body(self.fn.body, _State())
        return self

    def body(self, stmts: list[ast.stmt], st: _State) -> None:
        for stmt in stmts:
            self.stmt(stmt, st)

    def stmt(self, stmt: ast.stmt, st: _State) -> None:
        self.current = stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.body(stmt.body, _State(st.protect, st.in_finally, nested=True))
            return
        if isinstance(stmt, ast.ClassDef):
            return
        if isinstance(stmt, ast.If):
            if _is_main_guard(stmt.test):
                self.body(stmt.orelse, st)
                return
            self.exprs(stmt.test, st)
            test = stmt.test
            guard = None
            if (
                isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "hasattr"
                and len(test.args) == 2 and const_str(test.args[1]) is not None
            ):  # fmt: skip
                guard = (self.text(test.args[0]), const_str(test.args[1]))
                self.guarded.add(guard)
            self.body(stmt.body, st)
            self.guarded.discard(guard)  # type: ignore[arg-type]
            self.body(stmt.orelse, st)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            protect = list(st.protect)
            if stmt.body and any(
                isinstance(item.context_expr, ast.Call)
                and (
                    (self.qualify(item.context_expr.func) or "") == "pytest.raises"
                    or (
                        isinstance(item.context_expr.func, ast.Attribute)
                        and item.context_expr.func.attr in ("assertRaises", "assertRaisesRegex")
                    )
                )
                for item in stmt.items
            ):
                self.raising.add(id(stmt.body[-1]))
            for item in stmt.items:
                protect += self.context_targets(item.context_expr)
                self.exprs(item.context_expr, st, in_with=True)
                if isinstance(item.optional_vars, ast.Name) and self.is_mp_context(item.context_expr):
                    self.mp_names.add(item.optional_vars.id)
            inner = _State(tuple(protect), st.in_finally, st.nested)
            if self.yield_pos is not None and _encloses(stmt, self.yield_pos):
                self.teardown_protect += protect[len(st.protect) :]
            self.body(stmt.body, inner)
        elif isinstance(stmt, (ast.Try, ast.TryStar)):
            self.body(stmt.body, st)
            for handler in stmt.handlers:
                self.body(handler.body, st)
            self.body(stmt.orelse, st)
            self.body(stmt.finalbody, _State(st.protect, True, st.nested))
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.exprs(stmt.iter, st)
            self.body(stmt.body, st)
            self.body(stmt.orelse, st)
        elif isinstance(stmt, ast.While):
            self.exprs(stmt.test, st)
            self.body(stmt.body, st)
            self.body(stmt.orelse, st)
        elif isinstance(stmt, ast.Match):
            self.exprs(stmt.subject, st)
            for case in stmt.cases:
                self.body(case.body, st)
        elif isinstance(stmt, ast.Assign):
            self.exprs(stmt.value, st)
            for target in stmt.targets:
                self.target(target, stmt.value, "set", stmt if len(stmt.targets) == 1 else None, st)
            self.bind(stmt.targets, stmt.value)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.exprs(stmt.value, st)
                self.target(stmt.target, stmt.value, "set", None, st)
                self.bind([stmt.target], stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            self.exprs(stmt.value, st)
            self.target(stmt.target, stmt.value, "aug", None, st)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self.target(target, None, "del", stmt if len(stmt.targets) == 1 else None, st)
        else:
            self.exprs(stmt, st, stmt=stmt if isinstance(stmt, ast.Expr) else None)

    def bind(self, targets: list[ast.expr], value: ast.expr) -> None:
        """Track names bound to a saved value, a state container, a logger or a MonkeyPatch."""
        for target in targets:
            if isinstance(target, (ast.Tuple, ast.List)):
                values = (
                    value.elts
                    if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts)
                    else [value] * len(target.elts)
                )
                for elt, val in zip(target.elts, values):
                    self.bind([elt], val)
                continue
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            self.state_alias.pop(name, None)
            self.loggers.pop(name, None)
            self.mp_names.discard(name)
            family = self.family_of(value)
            if family is not None and isinstance(value, (ast.Name, ast.Attribute)):
                self.state_alias[name] = family[1]
            is_logger, key = self.logger_key(value)
            if is_logger:
                self.loggers[name] = key
            if isinstance(value, ast.Call) and (self.qualify(value.func) or "") in MONKEYPATCH_CLASSES:
                self.mp_names.add(name)
            self.saved[name] = self.reads(value)

    # expressions -------------------------------------------------------------------------------
    def exprs(self, node: ast.AST, st: _State, stmt: ast.stmt | None = None, in_with: bool = False) -> None:
        stack = [node]
        while stack:
            cur = stack.pop()
            if cur is None:
                continue
            if isinstance(cur, ast.Lambda):
                self.exprs(cur.body, _State(st.protect, st.in_finally, nested=True))
                continue
            if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(cur, ast.Call):
                whole = stmt if stmt is not None and stmt.value is cur else None  # type: ignore[attr-defined]
                self.call(cur, st, whole, in_with and cur is node)
            push_children(cur, stack)

    def emit(self, event: Event, st: _State) -> None:
        if event.write and self.current is not None and id(self.current) in self.raising:
            return  # the write is what the pytest.raises block expects to fail
        event.in_finally = st.in_finally
        if st.nested:
            event.anywhere = True
            event.write = False
        if any(covers(p, event.target) for p in st.protect):
            event.protected = True
        if self.yield_pos is not None and event.pos > self.yield_pos:
            event.after_yield = True
        self.events.append(event)

    def restore(self, target: Target, node: ast.AST, st: _State, anywhere: bool = False, before: bool = False) -> None:
        event = Event(target, node, position(node), write=False, restoring=True, anywhere=anywhere, before=before)
        self.emit(event, st)

    def call(self, call: ast.Call, st: _State, stmt: ast.stmt | None, in_with: bool) -> None:
        func = call.func
        qual = self.qualify(func) or ""
        receiver = func.value if isinstance(func, ast.Attribute) else None
        method = func.attr if isinstance(func, ast.Attribute) else ""
        # monkeypatch, mock.patch and mocker calls restore what is written after them
        if receiver is not None and (
            (isinstance(receiver, ast.Name) and receiver.id in self.mp_names) or self.is_mp_context(receiver)
        ):
            for target in self.monkeypatch_targets(method, call):
                self.restore(target, call, st, before=True)
            return
        kind = _patch_kind(qual)
        if kind is not None:
            if not in_with:
                for target in self.patch_targets(kind, call):
                    self.restore(target, call, st, before=True)
            return
        # stack.enter_context(mock.patch.dict(os.environ)): restored when the stack closes
        if method in ("enter_context", "enterContext", "enter_async_context") and call.args:
            for target in self.context_targets(call.args[0]):
                self.restore(target, call, st, anywhere=True)
            return
        # cleanup registrations: request.addfinalizer(os.chdir, old), self.addCleanup(setattr, mod, "X", old)
        if (method in CLEANUP_METHODS or qual == "atexit.register") and call.args:
            self.cleanup(call, st)
            return
        if method == "stop" and not call.args and isinstance(receiver, ast.Name):
            # ``resetenv = mock.patch.dict(os.environ)`` at module level, ``resetenv.start()`` in setup_function,
            # ``resetenv.stop()`` in teardown_function: the patcher puts back what it covers (jupyter_core)
            bound = self.ctx.module_globals.get(receiver.id)
            kind = _patch_kind(self.qualify(bound.func) or "") if isinstance(bound, ast.Call) else None
            if kind is not None and receiver.id not in self.locals and receiver.id not in self.params:
                for target in self.patch_targets(kind, bound):
                    self.restore(target, call, st, anywhere=True)
                return
        if method in UNDO_METHODS and not call.args and receiver is not None:
            self.restore(("*", None), call, st)
            return
        if qual in RESET_CALLS:
            self.restore((RESET_CALLS[qual], None), call, st)
            return
        if qual in ("importlib.import_module", "__import__") and call.args and not st.nested:
            # ``del sys.modules[name]`` then ``importlib.import_module(name)``: a fresh import puts the
            # module back (fastapi's tutorial tests re-import a module to run its body again)
            key, shown = self.key_of(call.args[0])
            if key is not None or isinstance(call.args[0], ast.Name):
                self.restore(("sysmodules", key), call, st)
        if qual in ("importlib.reload", "imp.reload") and call.args:
            dotted = self.qualify(call.args[0])
            if dotted:
                self.restore(("attr", dotted), call, st)
            return
        # state container methods: os.environ.pop("X"), sys.path.insert(0, p)
        if receiver is not None:
            family = self.family_of(receiver)
            if family is not None and method in CONTAINER_WRITES.get(family[0], ()):
                self.container_call(family, receiver, method, call, st, stmt)
                return
            extra = self.extra_for(self.qualify(receiver))
            if extra is not None and method in _DICT_WRITES | _LIST_WRITES | {"add", "discard"}:
                self.emit(
                    self.event(
                        ("extra", extra), call, f"changes '{extra}'", "set it back after yield or in a finally block"
                    ),
                    st,
                )
                return
            if method == "setLevel":
                is_logger, key = self.logger_key(receiver)
                if is_logger:
                    self.log_level(key, call, st)
                    return
        if qual in ("setattr", "delattr") and len(call.args) >= 2:
            self.setattr_call(qual, call, st, stmt)
            return
        if self.vocabulary_call(qual, method, receiver, call, st):
            return
        family_name = CALL_WRITES.get(qual)
        if family_name == "warnings" and not self.names.warnings:
            family_name = None
        if family_name is not None:
            self.call_write(family_name, qual, call, st, stmt)
            return
        extra = self.extra_for(qual)
        if extra is not None and qual == extra:
            self.emit(
                self.event(("extra", extra), call, f"calls {extra}()", "set it back after yield or in a finally block"),
                st,
            )
            return
        # a helper of this module called from the test: what it writes counts as restoring
        # a method of the class called on ``self`` (``self.clearEnv()`` in tearDown or finally): the same
        if (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")
            and self.cls and self.depth <= 1
        ):  # fmt: skip
            method = self.names.method(self.cls, func.attr)
            if method is not None and method is not self.fn:
                self.absorb(method, call, st)
                return
        if isinstance(func, ast.Name) and self.depth == 0 and func.id in self.ctx.module_functions:
            helper = self.ctx.module_functions[func.id]
            if helper is not self.fn:
                self.absorb(helper, call, st)
            return
        # a function of another module called where a restore goes (``finally``, after ``yield``, a
        # cleanup, a teardown): ``config.reset()``, ``helpers.restore_env()``; what it writes is settled
        # across files (project.py follows the one call into first-party code)
        if qual and not self.summary and self.depth <= 1:
            root = self.root(func)
            if root is not None and self.import_bound(root.id):
                restoring = (
                    self.depth == 1 or st.in_finally or st.nested
                    or (self.yield_pos is not None and position(call) > self.yield_pos)
                )  # fmt: skip
                # a plain call restores only if the test gets there (no assert failed before it)
                self.restore(("call" if restoring else "plaincall", qual), call, st)


    # event builders ------------------------------------------------------------------------------
    def event(self, target: Target, node: ast.AST, what: str, advice: str, **kw) -> Event:
        return Event(target, node, position(node), what=what, advice=advice, **kw)

    def key_of(self, node: ast.AST | None) -> tuple[str | None, str]:
        """(constant key or None, how to show it)."""
        if node is None:
            return None, ""
        value = const_str(node)
        if value is None and isinstance(node, ast.Name) and node.id not in self.locals | self.params:
            bound = self.ctx.module_globals.get(node.id)
            value = const_str(bound)
        if value is not None:
            return value, f"'{value}'"
        return None, self.text(node)


def scan_events(names: _FileNames, fn: FunctionNode, cls: str | None = None) -> list[Event]:
    """The writes and restorations of ``fn`` in source order: the walk on its own, without the
    verdicts (which of them leak) that ``check`` draws from them."""
    return _Scan(names, fn, cls=cls).run().events
