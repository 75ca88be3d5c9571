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
                owners[key] = _used_restores(project, facts, item, restores_cache)
            if any(covers(t, item.target) for t in owners[key]):
                continue
            yield _settle_fix(project, path, item.diagnostic, defined)


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
    for i in range(len(parts) - 1, 0 if not level else -1, -1):
        module = ".".join(parts[:i])
        try:
            found = project.find_module(module, path, level)
        except Exception:  # noqa: BLE001 - an odd name is simply not found
            found = None
        if found is None:
            continue
        names = _top_level_names(project, found)
        if names is None:
            return False
        rest = parts[i:]
        if rest[0] not in names:
            return False
        if len(rest) == 1:
            return True
        members = names[rest[0]]  # a class's own names, None for anything else
        return members is not None and len(rest) == 2 and rest[1] in members
    return False


def _top_level_names(project: Project, path: str) -> dict[str, tuple[str, ...] | None] | None:
    """What the module at ``path`` binds at top level (the engine extracts it; rules never read files)."""
    facts = project.get(path)
    return facts.top_names if facts is not None else None


def _used_restores(project: Project, facts, item: _Pending, cache: dict) -> list[Target]:
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
            cache[key] = (
                tuple(data[CODE]["restores"].get(fixture.qualname, ()))
                if isinstance(data, dict) and CODE in data
                else ()
            )
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
