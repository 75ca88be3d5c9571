"""What restores global state: monkeypatch, mock.patch, restoring with-blocks, cleanups, helpers."""

from __future__ import annotations

import ast
import re

from sessionlint.context import FunctionNode
from sessionlint.rules.global_state.events import _State
from sessionlint.syntax import const_str, position, walk_own
from sessionlint.rules.global_state.targets import CONTEXTMANAGER_DECORATORS, DJANGO_SETTINGS_OVERRIDES, django_override_targets, _dotted_target, _KEYED, MONKEYPATCH_CLASSES, _patch_kind, RESTORING_CONTEXTS, Target

# the words of a CapWords name: ``EnvVars`` -> Env, Vars; ``HTTPEnv`` -> HTTP, Env
_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")


class _Restores:
    """The restoration half of ``_Scan`` (a mixin)."""

    def absorb(self, helper: FunctionNode, at: ast.AST, st: _State) -> None:
        """Count what ``helper`` writes as restorations at ``at`` (prefer silence)."""
        if self.depth >= 2:
            return
        targets = self.names.helper_cache.get(id(helper))
        if targets is None:
            targets = [e.target for e in type(self)(self.names, helper, self.depth + 1, cls=self.cls).run().events]
            self.names.helper_cache[id(helper)] = targets
        for target in targets:
            self.restore(target, at, st, anywhere=True)

    def cleanup(self, call: ast.Call, st: _State) -> None:
        callback = call.args[0]
        nested = _State(st.protect, st.in_finally, nested=True)
        if isinstance(callback, ast.Lambda):
            return self.exprs(callback.body, nested)
        if (
            isinstance(callback, ast.Call)
            and (self.qualify(callback.func) or "") == "functools.partial"
            and callback.args
        ):
            callback, args, keywords = callback.args[0], callback.args[1:], callback.keywords
        else:
            args, keywords = call.args[1:], call.keywords
        if isinstance(callback, ast.Name) and callback.id in self.ctx.module_functions and self.depth == 0:
            return self.absorb(self.ctx.module_functions[callback.id], call, st)
        synthetic = ast.Call(func=callback, args=list(args), keywords=list(keywords))
        ast.copy_location(synthetic, call)
        self.call(synthetic, nested, None, False)

    def is_mp_context(self, node: ast.AST) -> bool:
        """``monkeypatch.context()``, ``pytest.MonkeyPatch.context()``, ``MonkeyPatch()``."""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "context":
            inner = func.value
            if isinstance(inner, ast.Name) and inner.id in self.mp_names:
                return True
            return (self.qualify(inner) or "") in MONKEYPATCH_CLASSES
        return (self.qualify(func) or "") in MONKEYPATCH_CLASSES

    def monkeypatch_targets(self, method: str, call: ast.Call) -> list[Target]:
        args = call.args
        if method in ("setenv", "delenv") and args:
            return [("env", self.key_of(args[0])[0])]
        if method == "chdir":
            return [("cwd", None)]
        if method == "syspath_prepend":
            return [("syspath", None)]
        if method in ("setattr", "delattr") and args:
            string = const_str(args[0])
            if string is not None and "." in string and (len(args) == 1 or (method == "setattr" and len(args) == 2)):
                return [_dotted_target(string, self)]
            if len(args) >= 2:
                dotted = self.qualify(args[0])
                attr = const_str(args[1])
                if dotted:
                    return [_dotted_target(f"{dotted}.{attr}", self) if attr else ("attr", dotted)]
            return []
        if method in ("setitem", "delitem") and len(args) >= 2:
            family = self.family_of(args[0])
            if family is not None:
                key = self.key_of(args[1])[0] if family[0] in _KEYED else None
                return [(family[0], key)]
            extra = self.extra_for(self.qualify(args[0]))
            if extra:
                return [("extra", extra)]
        return []

    def patch_targets(self, kind: str, call: ast.Call) -> list[Target]:
        args = call.args
        if kind == "patch":
            target = args[0] if args else next((k.value for k in call.keywords if k.arg == "target"), None)
            string = const_str(target)
            return [_dotted_target(string, self)] if string else []
        if kind == "object" and len(args) >= 2:
            dotted, attr = self.qualify(args[0]), const_str(args[1])
            if dotted and attr:
                return [_dotted_target(f"{dotted}.{attr}", self)]
            return [("attr", dotted)] if dotted else []
        if kind == "dict":
            target = args[0] if args else next((k.value for k in call.keywords if k.arg == "in_dict"), None)
            if target is None:
                return []
            string = const_str(target)
            dotted = string if string is not None else self.qualify(target)
            if not dotted:
                return []
            tgt = _dotted_target(dotted, self)
            return [(tgt[0], None) if tgt[0] not in ("attr", "extra") else tgt]
        if kind == "multiple" and args:
            dotted = const_str(args[0]) or self.qualify(args[0])
            if dotted:
                return [_dotted_target(f"{dotted}.{k.arg}", self) for k in call.keywords if k.arg]
        return []

    def context_targets(self, expr: ast.expr) -> list[Target]:
        if not isinstance(expr, ast.Call):
            return []
        qual = self.qualify(expr.func) or ""
        kind = _patch_kind(qual)
        if kind is not None:
            return self.patch_targets(kind, expr)
        family = RESTORING_CONTEXTS.get(qual)
        if family is not None:
            return [(family, None)]
        if qual.rsplit(".", 1)[-1] in DJANGO_SETTINGS_OVERRIDES:
            return django_override_targets(expr)
        if (
            isinstance(expr.func, ast.Attribute)
            and expr.func.attr in ("settings", "modify_settings")
            and isinstance(expr.func.value, ast.Name)
            and expr.func.value.id in ("self", "cls")
        ):
            return django_override_targets(expr)  # django's SimpleTestCase.settings(): override_settings
        if isinstance(expr.func, ast.Name) and expr.func.id in self.ctx.module_functions and self.depth < 2:
            return self.helper_context(self.ctx.module_functions[expr.func.id], expr)
        last = qual.rsplit(".", 1)[-1] if qual else (expr.func.attr if isinstance(expr.func, ast.Attribute) else "")
        if last in ("swap_attr", "swap_item") and len(expr.args) >= 2:  # test.support
            kind = "object" if last == "swap_attr" else "dict"
            targets = self.patch_targets(kind, expr)
            if last == "swap_item":
                family = self.family_of(expr.args[0])
                if family is not None:
                    return [(family[0], self.key_of(expr.args[1])[0] if family[0] in _KEYED else None)]
            return targets
        words = set(last.lower().split("_")) | {w.lower() for w in _CAMEL_WORD.findall(last)}  # EnvVars()
        if "cwd" in words or last in ("chdir", "pushd", "working_directory", "cd", "in_dir", "change_dir"):
            return [("cwd", None)]  # contextlib.chdir, test.support's change_cwd, temp_cwd, ...
        if words & {"environ", "env", "environment"} and "copy" not in words:
            return [("env", None)]  # modified_environ(...), EnvironmentVarGuard(), ...
        if "environmentvarguard" in words:
            return [("env", None)]
        if isinstance(expr.func, ast.Attribute):
            if expr.func.attr == "as_cwd":
                return [("cwd", None)]
            if expr.func.attr == "at_level":
                logger = next((k.value for k in expr.keywords if k.arg == "logger"), None)
                if logger is None and len(expr.args) >= 2:
                    logger = expr.args[1]
                return [("loglevel", "" if logger is None else const_str(logger))]
        return []

    def helper_context(self, helper: FunctionNode, call: ast.Call) -> list[Target]:
        """What a ``@contextmanager`` function of this module puts back when its block ends."""
        if not any(
            (self.ctx.qualify(d.func if isinstance(d, ast.Call) else d) or "") in CONTEXTMANAGER_DECORATORS
            for d in helper.decorator_list
        ):
            return []
        cached = self.names.cm_cache.get(helper.name)
        if cached is None:
            scan = type(self)(self.names, helper, self.depth + 1).run()
            restores = list(scan.teardown_protect) + [
                e.target for e in scan.events if e.after_yield or e.in_finally or e.anywhere or e.before
            ]
            # ``setattr(obj, name, old)`` / ``delattr(obj, name)`` on a parameter after the yield:
            # the object the caller passes is put back
            positions = [a.arg for a in helper.args.posonlyargs + helper.args.args]
            touched: list[str] = []
            for node in walk_own(helper):
                if scan.yield_pos is None or position(node) <= scan.yield_pos:
                    continue
                obj = None
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("setattr", "delattr")
                ):
                    obj = node.args[0] if node.args else None
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    obj = node.value
                if isinstance(obj, ast.Name) and obj.id in positions:
                    touched.append(obj.id)
            cached = (restores, touched)
            self.names.cm_cache[helper.name] = cached
        restores, touched = cached
        found = list(restores)
        positions = [a.arg for a in helper.args.posonlyargs + helper.args.args]
        for name in touched:
            index = positions.index(name)
            arg = (
                call.args[index]
                if index < len(call.args)
                else next((k.value for k in call.keywords if k.arg == name), None)
            )
            dotted = self.qualify(arg) if arg is not None else None
            if dotted:
                found.append(_dotted_target(dotted, self))
        return found

    def decorator_targets(self, decorators: list[ast.expr]) -> list[Target]:
        found: list[Target] = []
        for dec in decorators:
            if isinstance(dec, ast.Call):
                qual = self.qualify(dec.func) or ""
                kind = _patch_kind(qual)
                if kind is not None:
                    found += self.patch_targets(kind, dec)
                elif qual.rsplit(".", 1)[-1] in DJANGO_SETTINGS_OVERRIDES:
                    found += django_override_targets(dec)
        return found
