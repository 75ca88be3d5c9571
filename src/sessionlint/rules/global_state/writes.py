"""Writes to global state: container methods, state-writing calls, setattr, assignment targets."""

from __future__ import annotations

import ast

from sessionlint.rules.global_state.events import _State
from sessionlint.syntax import const_str, position
from sessionlint.rules.global_state.targets import ABC_MODULES, CONTEXT_LOCALS, PYTEST_RESTORED, QUIET_BELOW, SETTER_RESETS, SETTERS, CAPTURED_STREAMS, CTYPES_PROTOTYPE, DELETING, _dotted_target, _is_zero, _KEYED, LOG_NOTSET, STATE_FAMILIES_REBIND, Target

class _Writes:
    """The write half of ``_Scan`` (a mixin: the walk calls these for each node that may write)."""

    def container_call(self, family: tuple[str, str], receiver, method, call, st, stmt) -> None:
        fam, dotted = family
        args = call.args
        key_node = args[0] if args and method in ("pop", "setdefault", "__setitem__", "__delitem__") else None
        key, shown = self.key_of(key_node) if fam in _KEYED else (None, "")
        restoring = method in ("pop", "remove", "__delitem__") or (
            method in ("update", "__setitem__", "extend", "__iadd__") and self.saved_args(call, fam)
        )
        obj = self.text(receiver)
        call_text, unsafe = "", False
        if stmt is not None and not call.keywords:
            if fam == "env" and method == "pop" and len(args) in (1, 2) and dotted == "os.environ":
                extra = ", raising=False" if len(args) == 2 else ""
                call_text = f".delenv({self.text(args[0])}{extra})"
            elif fam == "sysmodules" and method == "pop" and len(args) in (1, 2):
                extra = ", raising=False" if len(args) == 2 else ""
                call_text = f".delitem({obj}, {self.text(args[0])}{extra})"
            elif fam == "syspath" and method == "insert" and len(args) == 2 and _is_zero(args[0]):
                call_text = f".syspath_prepend({self.text(args[1])})"
            elif fam == "syspath" and method == "append" and len(args) == 1:
                call_text, unsafe = f".syspath_prepend({self.text(args[0])})", True
        what, advice = _describe(fam, "del" if method in DELETING else "set", key, shown, dotted, obj)
        if call_text.endswith(", raising=False)") and advice.endswith(")"):
            advice = advice[:-1] + ", raising=False)"
        if method in ("update", "clear", "popitem") and fam == "env":
            what = "changes os.environ"
            advice = "use {mp}.setenv()/{mp}.delenv() per variable, or mock.patch.dict(os.environ, ...)"
        self.emit(
            self.event(
                (fam, key) if fam in _KEYED else (fam, None), call, what, advice, restoring=restoring,
                deletes=method in DELETING, call=call_text, unsafe_call=unsafe, stmt=stmt if call_text else None,
            ),
            st,
        )  # fmt: skip

    def call_write(self, fam: str, qual: str, call: ast.Call, st: _State, stmt) -> None:
        args = call.args
        restoring, call_text = False, ""
        deletes = qual == "os.unsetenv"
        key: str | None = None
        shown = ""
        if fam == "env":
            key, shown = self.key_of(args[0] if args else None)
            restoring = qual == "os.unsetenv" or (len(args) >= 2 and self.saved_value(args[1], "env"))
            action = "set" if qual == "os.putenv" else "del"
            what, advice = _describe("env", action, key, shown, qual, "")
            what += f" with {qual}() (os.environ does not see it)" if qual == "os.putenv" else f" with {qual}()"
        elif fam == "locale":
            value = args[1] if len(args) >= 2 else next((k.value for k in call.keywords if k.arg == "locale"), None)
            if value is None or (isinstance(value, ast.Constant) and value.value is None):
                return  # setlocale(category) only reads the locale
            restoring = const_str(value) == "" or self.saved_value(value, "locale")
            what, advice = _describe(fam, "set", None, "", qual, "")
        elif fam == "logdisable":
            level = args[0] if args else None
            restoring = level is not None and (
                (self.qualify(level) or "") in LOG_NOTSET or (isinstance(level, ast.Constant) and level.value == 0)
            )
            what, advice = _describe(fam, "set", None, "", qual, "")
        elif fam == "sockettimeout":
            value = args[0] if args else None
            restoring = (isinstance(value, ast.Constant) and value.value is None) or self.saved_value(value, fam)
            what, advice = _describe(fam, "set", None, "", qual, "")
        else:
            restoring = self.saved_args(call, fam)
            what, advice = _describe(fam, "set", None, "", qual, "")
            if fam == "cwd" and qual == "os.chdir" and stmt is not None and len(args) == 1 and not call.keywords:
                call_text = f".chdir({self.text(args[0])})"
        self.emit(
            self.event((fam, key), call, what, advice, restoring=restoring, deletes=deletes, call=call_text,
                       stmt=stmt if call_text else None),
            st,
        )  # fmt: skip

    def vocabulary_call(self, qual: str, method: str, receiver, call: ast.Call, st: _State) -> bool:
        """Setters called as functions (``np.seterr(...)``, ``sys.setrecursionlimit(...)``), handlers added
        to named loggers, ``ABC.register(cls)``; True when ``call`` was one of them."""
        if qual in SETTERS:
            fam, what, advice = SETTERS[qual]
            args = [*call.args, *(k.value for k in call.keywords)]
            if qual == "signal.signal":
                key = self.qualify(call.args[0]) if call.args else None
                handler = call.args[1] if len(call.args) >= 2 else None
                restoring = handler is not None and (
                    self.saved_value(handler, fam) or (self.qualify(handler) or "") == "signal.SIG_DFL"
                )
                target: Target = (fam, key)
            elif qual == "signal.alarm":
                restoring = bool(call.args) and isinstance(call.args[0], ast.Constant) and call.args[0].value == 0
                target = (fam, None)
            else:
                restoring = bool(args) and all(self.saved_value(a, fam) for a in args)
                target = (fam, None)
            self.emit(self.event(target, call, f"changes {what} with {qual.rsplit('.', 1)[-1]}()", advice,
                                 restoring=restoring), st)  # fmt: skip
            return True
        if qual in SETTER_RESETS and SETTER_RESETS[qual] is not None:
            self.restore((SETTER_RESETS[qual], None), call, st)
            return True
        if receiver is not None and method in ("addHandler", "removeHandler"):
            is_logger, key = self.logger_key(receiver)
            if not is_logger or key is None:
                return False  # an unnamed logger object: not known to be shared
            shown = "the root logger" if key == "" else f"logger '{key}'"
            self.emit(
                self.event(("loghandlers", key), call, f"adds a handler to {shown}",
                           "remove it with removeHandler() after yield or in a finally block, or use caplog",
                           restoring=method == "removeHandler", deletes=method == "removeHandler"),
                st,
            )  # fmt: skip
            return True
        if receiver is not None and method == "register" and len(call.args) == 1:
            dotted = self.qualify(receiver) or ""
            if any(dotted.startswith(m) or dotted == m for m in ABC_MODULES) and dotted[:1] != "_":
                self.emit(
                    self.event(("abcregister", dotted), call,
                               f"registers a virtual subclass of {dotted}, which cannot be undone",
                               "register a subclass defined for the test only, or subclass it for real"),
                    st,
                )  # fmt: skip
                return True
        return False

    def log_level(self, key: str | None, call: ast.Call, st: _State) -> None:
        level = call.args[0] if call.args else None
        restoring = level is not None and (
            (self.qualify(level) or "") in LOG_NOTSET
            or (isinstance(level, ast.Constant) and level.value == 0 and key != "")
            or self.saved_value(level, "loglevel")
        )
        shown = "the root logger" if key == "" else (f"logger '{key}'" if key else "a logger")
        self.emit(
            self.event(
                ("loglevel", key), call, f"changes the level of {shown}",
                "use caplog.set_level(...), which restores the level, or set it back after yield",
                restoring=restoring,
            ),
            st,
        )  # fmt: skip

    def setattr_call(self, qual: str, call: ast.Call, st: _State, stmt) -> None:
        obj, name = call.args[0], call.args[1]
        root = self.root(obj)
        if root is None or not self.import_bound(root.id):
            return
        dotted = self.qualify(obj)
        if dotted is None:
            return
        attr = const_str(name)
        full = f"{dotted}.{attr}" if attr else dotted
        if full in CAPTURED_STREAMS or attr in CTYPES_PROTOTYPE:
            return
        target = _dotted_target(full, self) if attr else ("attr", dotted)
        below = target[0] == "attr" and self.below_import(obj, dotted)
        if below and self.quiet_below(dotted):
            return  # setattr(flask.g, "x", 1): a context-local proxy, not process state
        delete = qual == "delattr"
        value = call.args[2] if len(call.args) >= 3 else None
        restoring = delete or self.saved_value(value, "attr")
        shown = f"{self.text(obj)}.{attr}" if attr else f"{self.text(obj)}.<{self.text(name)}>"
        what, advice = _describe_attr(target, shown, delete, self.text(obj), attr, root.id, self.kind_of(obj, below))
        call_text, attr_full = "", ""
        if stmt is not None and not call.keywords and target[0] == "attr":
            if delete and len(call.args) == 2:
                call_text = f".delattr({self.text(obj)}, {self.text(name)})"
            elif not delete and len(call.args) == 3:
                call_text = f".setattr({self.text(obj)}, {self.text(name)}, {self.text(call.args[2])})"
                attr_full = full if attr else ""
        naming = ("deletes" if delete else "sets", attr, self.text(obj)) if attr and target[0] == "attr" else ()
        self.emit(
            self.event(target, call, what, advice, restoring=restoring, deletes=delete, call=call_text,
                       stmt=stmt if call_text else None, attr=attr_full,
                       assign=not delete and len(call.args) == 3 and attr is not None,
                       reset=fresh_value(value) if not delete and value is not None else "", naming=naming),
            st,
        )  # fmt: skip

    # assignment targets ---------------------------------------------------------------------------
    def target(self, target: ast.expr, value: ast.expr | None, action: str, stmt, st: _State) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.target(elt, None, action, None, st)
            return
        if isinstance(target, ast.Starred):
            return self.target(target.value, None, action, None, st)
        if isinstance(target, ast.Subscript):
            return self.subscript_write(target, value, action, stmt, st)
        if isinstance(target, ast.Attribute):
            return self.attribute_write(target, value, action, stmt, st)
        if isinstance(target, ast.Name) and target.id in self.declared_global:
            if not self.summary and not self.names.read_elsewhere(target.id, self.fn):
                return  # only this function (and its closures) reads it, or every reader assigns it first
            if not self.summary and target.id in self.names.autouse_rebound():
                return  # an autouse fixture of this module rebinds it for the tests that read it
            restoring = action == "del" or self.saved_value(value, "global")
            if action == "set" and not restoring and value is not None:
                # ``progress = 0`` where the module binds ``progress = 0``: a reset to the value every
                # test starts from, not a change another test can see
                fresh = fresh_value(value)
                restoring = bool(fresh) and fresh == self.names.initial().get(target.id)
            self.emit(
                self.event(
                    ("global", target.id), stmt or target, f"rebinds module global '{target.id}'",
                    "set it back after yield or in a finally block, or use {mp}.setattr() on the module",
                    restoring=restoring, deletes=action == "del", assign=action == "set",
                ),
                st,
            )  # fmt: skip

    def subscript_write(self, target: ast.Subscript, value, action: str, stmt, st: _State) -> None:
        container = target.value
        family = self.family_of(container)
        node = stmt or target
        if family is None:
            extra = self.extra_for(self.qualify(container))
            if extra is not None:
                restoring = action == "del" or self.saved_value(value, "extra")
                self.emit(self.event(("extra", extra), node, f"changes '{extra}'", "set it back after yield or in a finally block",
                                     restoring=restoring, deletes=action == "del"), st)  # fmt: skip
            elif st.in_finally or (self.yield_pos is not None and position(node) > self.yield_pos):
                if self.handlers_put_back(container, node, st):
                    return
                # ``mod.handlers[:] = saved`` after yield: puts ``mod.handlers`` back
                root = self.root(container)
                dotted = self.qualify(container) if isinstance(container, ast.Attribute) else None
                if root is not None and dotted is not None and self.import_bound(root.id):
                    self.restore(_dotted_target(dotted, self), node, st)
            return
        fam, dotted = family
        is_slice = isinstance(target.slice, ast.Slice)
        key, shown = (None, "") if is_slice or fam not in _KEYED else self.key_of(target.slice)
        restoring = action == "del" or self.saved_value(value, fam)
        obj = self.text(container)
        call_text = ""
        if stmt is not None and action != "aug" and not is_slice:
            k = self.text(target.slice)
            if fam == "env" and dotted == "os.environ":
                call_text = f".delenv({k})" if action == "del" else f".setenv({k}, {self.text(value)})"
            elif fam in ("sysmodules", "rcparams"):
                call_text = f".delitem({obj}, {k})" if action == "del" else f".setitem({obj}, {k}, {self.text(value)})"
        what, advice = _describe(fam, action, key, shown, dotted, obj)
        self.emit(
            self.event((fam, key) if fam in _KEYED else (fam, None), node, what, advice, restoring=restoring, deletes=action == "del",
                       call=call_text, stmt=stmt if call_text else None),
            st,
        )  # fmt: skip

    def handlers_put_back(self, handlers: ast.expr, node: ast.AST, st: _State) -> bool:
        """``logging.root.handlers[:] = saved`` / ``logger.handlers = []`` after yield or in ``finally``:
        the logger's handlers are set back (flask's autouse ``reset_logging``)."""
        if not (isinstance(handlers, ast.Attribute) and handlers.attr == "handlers"):
            return False
        is_logger, key = self.logger_key(handlers.value)
        if not is_logger or key is None:
            return False
        self.restore(("loghandlers", key), node, st)
        return True

    def attribute_write(self, target: ast.Attribute, value, action: str, stmt, st: _State) -> None:
        node = stmt or target
        holder = target.value
        if action == "set" and (st.in_finally or (self.yield_pos is not None and position(node) > self.yield_pos)):
            if self.handlers_put_back(target, node, st):
                return
        if isinstance(holder, ast.Call) and (self.qualify(holder.func) or "") == "decimal.getcontext":
            restoring = action == "del" or self.saved_value(value, "decimal")
            self.emit(self.event(("decimal", target.attr), node, f"sets decimal.getcontext().{target.attr}",
                                 "use `with decimal.localcontext() as ctx:` and set ctx." + target.attr,
                                 restoring=restoring, assign=action == "set"), st)  # fmt: skip
            return
        root = self.root(target)
        if root is None or not self.import_bound(root.id):
            return
        if action == "del" and (self.text(holder), target.attr) in self.guarded:
            return  # ``if hasattr(obj, "x"): del obj.x``: drops a cached value (a cached_property) to recompute
        dotted = self.qualify(target)
        if dotted is None:
            return
        if dotted in CAPTURED_STREAMS or target.attr in CTYPES_PROTOTYPE:
            return
        if dotted in PYTEST_RESTORED and not self.names.warnings:
            return  # pytest's catch_warnings() around every test puts warnings.showwarning back
        tgt = _dotted_target(dotted, self)
        below = tgt[0] == "attr" and self.below_import(target.value, dotted.rsplit(".", 1)[0])
        if below and self.quiet_below(dotted.rsplit(".", 1)[0]):
            return  # flask.g.foo = 1: a context-local proxy; logging.root.x: left to the logger vocabulary
        obj_text = self.text(target.value)
        restoring = action == "del" or self.saved_value(value, tgt[0])
        if action == "set" and value is not None and _cache_flush(dotted, value):
            restoring = True  # ``gettext._translations = {}``: an emptied cache is refilled on the next use
        call_text, attr_full, naming = "", "", ()
        if tgt[0] in STATE_FAMILIES_REBIND:
            what = f"rebinds {dotted}" if action == "set" else f"changes {dotted}"
            _, advice = _describe(tgt[0], "set", None, "", dotted, dotted)
            if tgt[0] == "argv" and action == "set" and stmt is not None:
                call_text = f'.setattr({obj_text}, "argv", {self.text(value)})'
                advice = 'use {mp}.setattr(sys, "argv", [...])'
        else:
            what, advice = _describe_attr(tgt, self.text(target), action == "del", obj_text, target.attr, root.id,
                                          self.kind_of(target.value, below))  # fmt: skip
            if tgt[0] == "attr":
                naming = ("deletes" if action == "del" else "sets", target.attr, obj_text)
            if tgt[0] == "attr" and stmt is not None and action != "aug":
                if action == "del":
                    call_text = f'.delattr({obj_text}, "{target.attr}")'
                else:
                    call_text = f'.setattr({obj_text}, "{target.attr}", {self.text(value)})'
                    attr_full = dotted
        self.emit(
            self.event(tgt, node, what, advice, restoring=restoring, deletes=action == "del", call=call_text,
                       stmt=stmt if call_text else None, attr=attr_full, assign=action == "set",
                       reset=fresh_value(value) if action == "set" and value is not None else "", naming=naming),
            st,
        )  # fmt: skip

    # what restores -----------------------------------------------------------------------------


_FAMILY_TEXT = {
    "syspath": ("changes sys.path", "use {mp}.syspath_prepend(...)"),
    "argv": ("changes sys.argv", 'use {mp}.setattr(sys, "argv", [...])'),
    "cwd": ("changes the working directory", "use {mp}.chdir(...)"),
    "umask": ("changes the process umask", "save the old mask (old = os.umask(...)) and set it back after yield or in a finally block"),
    "rcparams": ("changes matplotlib.rcParams", "use {mp}.setitem(matplotlib.rcParams, ...) or matplotlib.rc_context()"),
    "locale": ("changes the process locale", "save locale.setlocale(category) and set it back after yield or in a finally block"),
    "sockettimeout": ("changes the default socket timeout", "save socket.getdefaulttimeout() and set it back after yield or in a finally block"),
    "logdisable": ("disables logging for the whole process", "call logging.disable(logging.NOTSET) after yield or in a finally block"),
    "warnings": ("changes the warnings filters", "use warnings.catch_warnings() or @pytest.mark.filterwarnings"),
}  # fmt: skip


def _describe(fam: str, action: str, key: str | None, shown: str, dotted: str, obj: str) -> tuple[str, str]:
    if fam == "env":
        name = shown or "a variable"
        if action == "del":
            return f"deletes environment variable {name}", "use {mp}.delenv(" + (f'"{key}"' if key else "...") + ")"
        return f"sets environment variable {name}", "use {mp}.setenv(" + (f'"{key}", ...' if key else "...") + ")"
    if fam == "sysmodules":
        entry = f"sys.modules[{shown}]" if shown else "sys.modules"
        verb = "deletes" if action == "del" else "changes"
        how = "use {mp}.delitem(sys.modules, ...)" if action == "del" else "use {mp}.setitem(sys.modules, ...)"
        return f"{verb} {entry}", how
    if fam == "rcparams" and shown:
        return f"changes matplotlib rcParams[{shown}]", "use {mp}.setitem(" + (
            obj or "matplotlib.rcParams"
        ) + ", ...) or matplotlib.rc_context()"
    return _FAMILY_TEXT.get(fam, (f"changes {dotted}", "set it back after yield or in a finally block"))


def _describe_attr(
    target: Target, shown: str, delete: bool, obj: str, attr: str | None, root: str, kind: str = ""
) -> tuple[str, str]:
    if target[0] == "extra":
        return (
            f"changes '{shown}' ({target[1]} is a declared global target)",
            "use {mp}.setattr(...), or set it back after yield or in a finally block",
        )
    if not kind:
        kind = "class attribute" if root[:1].isupper() and "." not in shown.split(".", 1)[-1] else "module attribute"
    verb = "deletes" if delete else "sets"
    attr_text = f'"{attr}"' if attr else "..."
    how = f"use {{mp}}.delattr({obj}, {attr_text})" if delete else f"use {{mp}}.setattr({obj}, {attr_text}, ...)"
    if kind.startswith("attribute of ") and attr:
        return f"{verb} attribute '{attr}' of {kind[len('attribute of '):]} '{obj}'", how
    return f"{verb} {kind} '{shown}'", how


def fresh_value(value: ast.expr) -> str:
    """``ast.dump`` of a value that is the same fresh object wherever it is built (``None``, ``0``, ``{}``,
    ``[]``, ``set()``, ``Local()``: constants, empty displays, calls without arguments); "" otherwise."""
    if isinstance(value, ast.Constant) and not (isinstance(value.value, (str, bytes)) and len(value.value) > 80):
        return ast.dump(value)
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.Tuple)) and not (
        value.keys if isinstance(value, ast.Dict) else value.elts
    ):
        return ast.dump(value)
    if isinstance(value, ast.Call) and not value.args and not value.keywords:
        func = value.func
        while isinstance(func, ast.Attribute):
            func = func.value
        if isinstance(func, ast.Name):
            return ast.dump(value.func)
    return ""


# caches of the standard library that tests flush by rebinding them empty
KNOWN_CACHES = frozenset(
    {"gettext._translations", "linecache.cache", "re._cache", "fnmatch._cache", "sys.path_importer_cache"}
)


def _cache_flush(dotted: str, value: ast.expr) -> bool:
    """``mod._cache = {}`` / ``gettext._translations = {}``: a cache emptied (an empty display, ``dict()``,
    ``None``), which the code refills on its next use: nothing another test can see."""
    empty = (isinstance(value, ast.Constant) and value.value is None) or (
        isinstance(value, (ast.Dict, ast.List, ast.Set)) and not (value.keys if isinstance(value, ast.Dict) else value.elts)
    ) or (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("dict", "list", "set")
        and not value.args and not value.keywords
    )  # fmt: skip
    return empty and (dotted in KNOWN_CACHES or "cache" in dotted.rsplit(".", 1)[-1].lower())
