"""SLK301 across files: fixtures a test uses may restore what it writes."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterator

from sessionlint import collection
from sessionlint.index import Project
from sessionlint.model import BROAD_SCOPES, Diagnostic
from sessionlint.rules.global_state.targets import BUILTIN_RESTORES, CODE, covers, Target
from sessionlint.rules.global_state.verdicts import _Pending

# --------------------------------------------------------------------------------------------
# across files: fixtures a test uses may restore what it writes


def check_project(project: Project, settings: object) -> Iterator[Diagnostic]:
    restores_cache: dict[tuple[str, str], tuple] = {}
    defined: dict[tuple[str, str], bool] = {}
    modules: dict[tuple[str, str], tuple | None] = {}  # (directory, dotted) -> defining module
    for path, facts in list(project.facts.items()):
        data = facts.rule_data
        if CODE not in data:
            continue
        pending: list[_Pending] = data[CODE]["pending"]
        owners: dict[tuple[str, str], list[Target]] = {}
        for item in pending:
            if item.cls and not collection.collected(project, path, item.cls):
                continue  # a class deriving from a first-party class that is no TestCase after all
            if item.sessionwide and not _tests_elsewhere(project, path):
                continue
            key = (item.owner, item.qualname)
            if key not in owners:
                owners[key] = _used_restores(project, facts, item, restores_cache, modules)
            if any(covers(t, item.target) for t in owners[key]):
                continue
            helpers = _expand(project, path, [("call", q) for q in item.helpers], modules)
            if any(covers(t, item.target) for t in helpers):
                continue  # a helper of another module called in finally/teardown puts it back
            attr = item.target[1] if item.target[0] == "attr" else None
            if attr and item.reset and _starts_with(project, path, attr, item.reset, modules):
                continue  # ``mod._cache = {}`` where the module starts with ``_cache = {}``: a reset
            if attr and _new_attribute(project, path, attr, modules):
                continue  # ``exc.newstyle_exceptions = True``: a name the module never defines, nothing reads
            diagnostic = _settle_fix(project, path, item.diagnostic, defined)
            if item.naming:
                diagnostic = _rename(project, path, item, diagnostic, modules)
            if item.late and any(
                covers(t, item.target) for t in _expand(project, path, [("call", q) for q in item.late], modules)
            ):  # ``config.reset()`` after the asserts: put back only when they pass
                diagnostic = replace(
                    diagnostic,
                    message=diagnostic.message.replace("never restores it", "restores it only if the test passes"),
                    fix_title=f"{diagnostic.fix_title}; or put it back in a finally block",
                )
            yield diagnostic


def _tests_elsewhere(project: Project, conftest: str) -> bool:
    """Whether linted test modules outside ``conftest``'s directory share its project root (only the
    linted files count: never a walk above them)."""
    directory = os.path.join(os.path.dirname(conftest), "")
    root = os.path.join(project.root_of(conftest), "")
    return any(
        p.startswith(root) and not p.startswith(directory) and os.path.basename(p) != "conftest.py"
        and bool(project.facts[p].test_requests)
        for p in project.facts
    )  # fmt: skip


def _settle_fix(project: Project, path: str, diagnostic: Diagnostic, defined: dict) -> Diagnostic:
    """``monkeypatch.setattr`` raises for an attribute that does not exist yet, where the plain
    assignment created it: keep the plain call only when the attribute is defined in the project's
    source, else add ``raising=False``."""
    fix = diagnostic.fix
    if fix is None or not any(k == "attr" or k.startswith("attr") for op in fix.ops for k, _ in op.args):
        return diagnostic
    ops = []
    for op in fix.ops:
        args = dict(op.args)
        new = []
        for k, v in op.args:
            if k.startswith("call"):
                dotted = args.get("attr" + k[4:], "")
                if dotted:
                    key = (path, dotted)
                    if key not in defined:
                        defined[key] = _attr_defined(project, path, dotted)
                    if not defined[key] and v.endswith(")"):
                        v = v[:-1] + ", raising=False)"
            new.append((k, v))
        ops.append(replace(op, args=tuple(new)))
    return replace(diagnostic, fix=replace(fix, ops=tuple(ops)))


def _attr_defined(project: Project, path: str, dotted: str) -> bool:
    """Whether the project's source defines ``dotted`` (``app.settings.DEBUG``, ``app.models.User.x``)."""
    level = len(dotted) - len(dotted.lstrip("."))
    parts = dotted.lstrip(".").split(".")
    found = _longest_module(project, path, parts, level, len(parts) - 1)
    if found is None:
        return False
    i, where = found
    names = _top_level_names(project, where)
    if names is None:
        return False
    rest = parts[i:]
    if rest[0] not in names:
        return False
    if len(rest) == 1:
        return True
    members = names[rest[0]]  # a class's own names, None for anything else
    return members is not None and len(rest) == 2 and rest[1] in members


def _longest_module(project: Project, path: str, parts: list[str], level: int, longest: int) -> tuple[int, str] | None:
    """(i, its file) for the longest ``parts[:i]`` (``i <= longest``) that is a module of the project."""
    for i in range(longest, 0 if not level else -1, -1):
        try:
            where = project.find_module(".".join(parts[:i]), path, level)
        except Exception:  # noqa: BLE001 - an odd name is simply not found
            where = None
        if where is not None:
            return i, where
    return None


def _top_level_names(project: Project, path: str) -> dict[str, tuple[str, ...] | None] | None:
    """What the module at ``path`` binds at top level (the engine extracts it; rules never read files)."""
    facts = project.get(path)
    return facts.top_names if facts is not None else None


def _module_of(project: Project, path: str, dotted: str, cache: dict) -> tuple | None:
    """The first-party module that defines ``dotted`` (``app.config.reset``, ``.helpers.X.y``): (its
    module name as written, its SLK301 summary, the rest of the name below it, its top-level names or
    None); None when the name is not first-party."""
    key = (os.path.dirname(path), dotted)
    if key in cache:
        return cache[key]
    found = _find_defining(project, path, dotted, len(dotted) - len(dotted.lstrip(".")))
    cache[key] = found
    return found


def _find_defining(project: Project, path: str, dotted: str, level: int) -> tuple | None:
    parts = dotted.lstrip(".").split(".")
    found = _longest_module(project, path, parts, level, len(parts))
    if found is None:
        return None
    i, where = found
    other = project.get(where)
    data = other.rule_data.get(CODE) if other is not None else None
    names = other.top_names if other is not None else None
    return ("." * level + ".".join(parts[:i]), data if isinstance(data, dict) else {}, ".".join(parts[i:]), names)


def _expand(project: Project, path: str, targets, modules: dict) -> list[Target]:
    """``("call", "app.config.reset")`` -> what ``reset`` writes in app/config.py (one call deep; its own
    globals named as attributes of its module); other targets as they are."""
    found: list[Target] = []
    for target in targets:
        if target[0] != "call":
            found.append(target)
            continue
        defined = _module_of(project, path, target[1], modules)
        if defined is None or "." in defined[2]:
            continue
        module, data, name, _ = defined
        for written in data.get("functions", {}).get(name, ()):
            if written[0] != "global":
                found.append(written)
                continue
            found.append(("attr", f"{module}.{written[1]}"))
            if module.startswith("."):  # as the alias table writes ``from . import config``: "..config"
                found.append(("attr", f".{module}.{written[1]}"))
    return found


def _starts_with(project: Project, path: str, dotted: str, fresh: str, modules: dict) -> bool:
    """Whether the first-party module defining ``dotted`` binds it at top level to the value ``fresh``."""
    defined = _module_of(project, path, dotted, modules)
    return defined is not None and defined[1].get("initial", {}).get(defined[2]) == fresh


def _new_attribute(project: Project, path: str, dotted: str, modules: dict) -> bool:
    """Whether ``dotted`` names a lower-case attribute a first-party module does not define (nor provide
    through a module ``__getattr__``): the module's own code cannot read it, and other code only through
    ``getattr`` with a default. UPPER_CASE names are settings, often read that way, and stay reported."""
    defined = _module_of(project, path, dotted, modules)
    if defined is None or "." in defined[2] or not defined[2] or defined[2].isupper():
        return False
    names = defined[3]
    return (
        names is not None and defined[2] not in names and "__getattr__" not in names
        and defined[2] not in defined[1].get("declared", ())  # ``global _engine`` in one of its functions
    )  # fmt: skip


_KIND_NAMES = {"function": "function", "local": "threading.local", "class": "class"}


def _rename(project: Project, path: str, item: _Pending, diagnostic: Diagnostic, modules: dict) -> Diagnostic:
    """Name the object written to for what its defining module makes it: an attribute of a function, of
    a ``threading.local``, of an instance (``connection``, a ``ConnectionProxy``), of a class."""
    verb, attr, shown, what = item.naming
    obj = item.target[1].rsplit(".", 1)[0] if item.target[1] else ""
    defined = _module_of(project, path, obj, modules) if obj else None
    if defined is None or "." in defined[2] or not defined[2]:
        return diagnostic
    kind = defined[1].get("kinds", {}).get(defined[2])
    if kind is None:
        return diagnostic
    if kind == "class":
        new = f"{verb} class attribute '{shown}.{attr}'"
    elif kind.startswith("instance:"):
        new = f"{verb} attribute '{attr}' of '{shown}' (an instance of {kind.split(':', 1)[1]})"
    else:
        new = f"{verb} attribute '{attr}' of {_KIND_NAMES[kind]} '{shown}'"
    if new == what or what not in diagnostic.message:
        return diagnostic
    return replace(diagnostic, message=diagnostic.message.replace(what, new, 1))


def _used_restores(project: Project, facts, item: _Pending, cache: dict, modules: dict) -> list[Target]:
    """What the fixtures ``item``'s owner uses (requested, usefixtures, autouse) put back in teardown."""
    names = list(item.requests)
    requester = None
    if item.owner in ("body", "helper"):
        return []  # runs at import, or wherever a test enters it: no fixture applies
    if item.owner == "fixture":
        requester = next((f for f in facts.fixtures if f.qualname == item.qualname), None)
        if requester is None or requester.scope in BROAD_SCOPES:
            return []
    chain = _visible(project, facts.path, item.cls)
    for name, candidates in chain.items():
        if candidates and candidates[0][0].autouse and candidates[0][0] is not requester:
            names.append(name)
    found: list[Target] = []
    queue: list[tuple[str, object, int]] = [(n, requester, 0) for n in names]
    seen: set[int] = set()
    while queue:
        name, req, depth = queue.pop()
        found += BUILTIN_RESTORES.get(name, ()) if _is_builtin(project, name, facts.path, item.cls, req) else ()
        resolved = project.resolve(name, facts.path, item.cls, requester=req)  # type: ignore[arg-type]
        if resolved is None or resolved.fixture is None or id(resolved.fixture) in seen:
            continue
        fixture = resolved.fixture
        seen.add(id(fixture))
        if fixture.scope in BROAD_SCOPES:
            continue
        key = (resolved.path or "", fixture.qualname)
        if key not in cache:
            other = project.get(resolved.path) if resolved.path else None
            data = other.rule_data if other is not None else None
            restored = (
                data[CODE].get("restores", {}).get(fixture.qualname, ())
                if isinstance(data, dict) and CODE in data
                else ()
            )
            cache[key] = tuple(_expand(project, resolved.path or "", restored, modules))
        found += cache[key]
        if depth < 4:
            queue += [(arg, fixture, depth + 1) for arg in fixture.args]
    return found


def _is_builtin(project: Project, name: str, path: str, cls: str | None, requester) -> bool:
    if name not in BUILTIN_RESTORES:
        return False
    resolved = project.resolve(name, path, cls, requester=requester)
    return resolved is not None and resolved.fixture is None


def _visible(project: Project, path: str, cls: str | None) -> dict:
    return project.visible_fixtures(path, cls)
