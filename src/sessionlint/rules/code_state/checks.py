"""SLK601 across files: join what tests do (units) with what the code under test keeps (summaries).

``Facts`` (the summaries and resolved names of one run) and the fixture lookups serve SLK602
(``imports.py``) and SLK603 (``arguments.py``) too."""

from __future__ import annotations

import os
from typing import Iterator

from sessionlint.index import Project
from sessionlint.model import Diagnostic, Fix, FixOp, FixtureDef
from sessionlint.rules.code_state.order import OrderRecord
from sessionlint.rules.code_state.summary import FuncSummary, ModuleSummary, member
from sessionlint.rules.code_state.units import Call, FileRecord, Unit

KEY = "SLK6"
WORDS = "SLK6.words"  # the words a test-side file names (``memos.words``): a memo global named is a reset
DEPTH = 3  # call levels followed from a test into the code under test
Func = tuple[str, str]  # (path, function name)


class Facts:
    """Summaries and resolved names, memoized for one project run."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._names: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._closures: dict[Func, tuple[frozenset[str], frozenset[Func], frozenset[Func]]] = {}
        self._memo_reach: dict[Func, bool] = {}
        self._by_file: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._active: tuple[frozenset[str], frozenset[str]] | None = None
        self._any_autouse: bool | None = None
        self.mutations: dict[tuple[Func, str, int], object] = {}
        self._fixtures: dict[tuple[str, str | None, tuple[str, ...]], list] = {}
        self._autouse: dict[tuple[str, str | None], list] = {}
        self._reached: dict[tuple[Func, bool], list[tuple[Func, tuple[str, ...], bool]]] = {}

    def summary(self, path: str | None) -> ModuleSummary | None:
        if path is None:
            return None
        facts = self.project.get(path)
        data = facts.rule_data.get(KEY) if facts is not None else None
        return data if isinstance(data, ModuleSummary) else None

    def function(self, func: Func) -> FuncSummary | None:
        summary = self.summary(func[0])
        return summary.functions.get(func[1]) if summary else None

    def resolve(self, dotted: str, from_path: str, depth: int = 0) -> tuple[str, str] | None:
        """``pkg.mod.NAME`` (or ``.mod.NAME``) -> (path of pkg/mod.py, "NAME") for first-party modules."""
        # a dotted name resolves the same from every file of a directory (``find_module`` searches
        # from the directory); a bare name is one of the file's own
        fast = (dotted, from_path)  # asked again from the same file: no dirname to compute
        if fast in self._by_file:
            return self._by_file[fast]
        key = (dotted, from_path if "." not in dotted else os.path.dirname(from_path))
        if key not in self._names:
            self._names[key] = self._resolve(dotted, from_path, depth)
        found = self._by_file[fast] = self._names[key]
        return found

    def _resolve(self, dotted: str, from_path: str, depth: int) -> tuple[str, str] | None:
        if "." not in dotted:  # a name of the module itself
            own = self.summary(from_path)
            if own is not None and dotted in own.functions:
                return from_path, dotted
            if own is not None and dotted in own.imports and depth < DEPTH:
                return self.resolve(own.imports[dotted], from_path, depth + 1)
            return None
        level = len(dotted) - len(dotted.lstrip("."))
        parts = dotted.lstrip(".").split(".")
        for cut in range(len(parts) - 1, -1, -1):
            if cut == 0 and not level:
                break
            target = self.project.find_module(".".join(parts[:cut]), from_path, level)
            if target is None:
                continue
            rest = parts[cut:]
            summary = self.summary(target)
            if summary is not None and len(rest) == 2:  # ``pkg.mod.Class.method``, ``pkg.mod.instance.attr``
                owner = summary.instances.get(rest[0], rest[0])
                key = member(summary, owner, rest[1])
                return (target, key) if key is not None else None
            if summary is None or len(rest) != 1:
                return None
            name = rest[0]
            if name not in summary.functions and name in summary.imports and depth < DEPTH:
                return self.resolve(summary.imports[name], target, depth + 1) or (target, name)
            return target, name
        return None

    def module(self, dotted: str, from_path: str) -> str | None:
        target = self.project.find_module(dotted, from_path, 0)
        return target if self.summary(target) is not None else None

    def reaches_memo(self, start: Func | None) -> bool:
        """Whether a memoized function is among those ``start`` reaches (memoized per run)."""
        if start is None:
            return False
        found = self._memo_reach.get(start)
        if found is None:
            found = any(
                summary is not None and summary.memo
                for summary in (self.function(func) for func, _c, _s in self.reach_receivers(start))
            )  # fmt: skip
            self._memo_reach[start] = found
        return found

    def active_names(self, clearing: bool = False) -> frozenset[str]:
        """Names of the run's fixtures that patch, clear caches (``clearing``: that clear) or purge
        ``sys.modules``, or request, a few levels deep, a fixture that does: what the joins take from
        a fixture is its patches, clears and purges, so requests of other names need no resolution."""
        if self._active is None:
            requests: dict[str, set[str]] = {}
            patching: set[str] = set()
            clears: set[str] = set()
            for file_facts in self.project.facts.values():
                data = file_facts.rule_data.get(KEY)
                if not isinstance(data, FileRecord):
                    units = {}
                else:
                    units = {u.qualname: u for u in data.units if u.kind == "fixture"}
                for fixture in file_facts.fixtures:
                    requests.setdefault(fixture.name, set()).update(fixture.args)
                    unit = units.get(fixture.qualname)
                    if unit is not None and unit.clears:
                        clears.add(fixture.name)
                    if unit is not None and (unit.patches or unit.clears or unit.reloads):
                        patching.add(fixture.name)  # (a purge of ``sys.modules`` times SLK602's imports)
            self._active = (_closure(patching, requests), _closure(clears, requests))
        return self._active[1] if clearing else self._active[0]

    def fixture_units(self, path: str, cls: str | None, names: tuple[str, ...]) -> list[tuple[Unit, str]]:
        """``_fixture_units`` memoized by file, class and names: every test of a class that requests
        the same fixtures gets the same answer."""
        key = (path, cls, names)
        found = self._fixtures.get(key)
        if found is None:
            active = self.active_names()
            wanted = tuple(n for n in names if n in active)
            found = self._fixtures[key] = _fixture_units(self.project, path, cls, wanted) if wanted else []
        return found

    def autouse_units(self, path: str, cls: str | None) -> list[tuple[Unit, str]]:
        """The units of the autouse fixtures a test sees that clear caches (SLK601 takes only their
        clears, and the patches of those that clear), memoized by file and class."""
        clearing = self.active_names(clearing=True)
        if self._any_autouse is None:
            self._any_autouse = any(
                f.autouse and f.name in clearing for file_facts in self.project.facts.values() for f in file_facts.fixtures
            )  # fmt: skip
        if not self._any_autouse:
            return []
        key = (path, cls)
        found = self._autouse.get(key)
        if found is None:
            found = self._autouse[key] = _autouse_units(self.project, path, cls, clearing)
        return found

    def entry(self, found: Func | None) -> Func | None:
        """What calling ``found`` runs: the function, or a class's ``__init__`` (None when it has none
        summarized, or when nothing of it is)."""
        if found is None:
            return None
        summary = self.summary(found[0])
        if summary is None:
            return None
        if found[1] in summary.functions:
            return found
        if found[1] in summary.members:
            key = member(summary, found[1], "__init__")
            return (found[0], key) if key is not None else None
        return None

    def callee(self, func: Func, call: str) -> Func | None:
        summary = self.summary(func[0])
        if summary is not None and (call in summary.functions or call in summary.members):
            return self.entry((func[0], call))
        return self.entry(self.resolve(call, func[0]))

    def on_instance(self, dotted: str, from_path: str) -> bool:
        """Whether ``pkg.mod.name.attr`` reads ``attr`` on a module-level instance (one receiver for
        the whole session)."""
        head, _, _attr = dotted.rpartition(".")
        module, _, name = head.rpartition(".")
        if not module:
            return False
        target = self.project.find_module(module, from_path, len(module) - len(module.lstrip(".")))
        summary = self.summary(target)
        return summary is not None and name in summary.instances

    def reach(self, start: Func, shared: bool = False) -> list[tuple[Func, tuple[str, ...]]]:
        """Functions reached from ``start`` through first-party calls, with the chain of names."""
        return [(func, chain) for func, chain, _shared in self.reach_receivers(start, shared)]

    def reach_receivers(self, start: Func, shared: bool = False) -> list[tuple[Func, tuple[str, ...], bool]]:
        """``reach``, with whether each method is called on a receiver that outlives the test
        (``shared``: ``start`` is; its calls through ``self`` keep the same receiver). Memoized per run."""
        key = (start, shared)
        if key not in self._reached:
            self._reached[key] = self._reach(start, shared)
        return self._reached[key]

    def _reach(self, start: Func, shared: bool) -> list[tuple[Func, tuple[str, ...], bool]]:
        seen = {start}
        out = [(start, (start[1],), shared)]
        frontier = list(out)
        for _ in range(DEPTH):
            nxt = []
            for func, chain, receiver in frontier:
                summary = self.function(func)
                if summary is None:
                    continue
                for call in summary.calls:
                    target = self.callee(func, call)
                    if target is not None and target not in seen:
                        seen.add(target)
                        # a method of the same module named "Class.method": called through self/cls
                        keeps = receiver and "." in call and target[0] == func[0] and not call.endswith(".__init__")
                        item = (target, (*chain, target[1]), keeps)
                        out.append(item)
                        nxt.append(item)
            frontier = nxt
        return out

    def inputs(self, memo: Func) -> tuple[frozenset[str], frozenset[Func], frozenset[Func]]:
        """What a memoized function reads, through the functions it calls:
        env keys, module attributes (path, name), and the functions themselves."""
        if memo in self._closures:
            return self._closures[memo]
        env: set[str] = set()
        attrs: set[Func] = set()
        funcs: set[Func] = set()
        for func, _chain in self.reach(memo):
            summary = self.function(func)
            if summary is None:
                continue
            funcs.add(func)
            env |= summary.env
            attrs |= {(func[0], g) for g in summary.globals}
            for dotted in summary.attrs:
                found = self.resolve(dotted, func[0])
                if found is not None:
                    attrs.add(found)
        result = (frozenset(env), frozenset(attrs), frozenset(funcs))
        self._closures[memo] = result
        return result


def _units(project: Project, path: str) -> dict[str, Unit]:
    facts = project.get(path)
    data = facts.rule_data.get(KEY) if facts is not None else None
    return {u.qualname: u for u in data.units} if isinstance(data, FileRecord) else {}


def _fixture_units(project: Project, path: str, cls: str | None, names: tuple[str, ...], fixture: FixtureDef | None = None) -> list[tuple[Unit, str]]:
    """The units of the fixtures ``names`` resolve to, and those they request, a few levels deep."""
    found: list[tuple[Unit, str]] = []
    queue = [(n, path, cls, fixture, 0) for n in names]
    seen: set[tuple[str, int]] = set()
    while queue:
        name, where, owner_cls, requester, depth = queue.pop(0)
        resolved = project.resolve(name, where, owner_cls, requester=requester)
        if resolved is None or resolved.fixture is None or resolved.path is None:
            continue
        key = (resolved.path, resolved.fixture.span.line)
        if key in seen:
            continue
        seen.add(key)
        unit = _units(project, resolved.path).get(resolved.fixture.qualname)
        if unit is not None:
            found.append((unit, resolved.path))
        if depth < 3:
            queue += [(a, resolved.path, resolved.fixture.cls, resolved.fixture, depth + 1) for a in resolved.fixture.args]
    return found


def _closure(names: set[str], requests: dict[str, set[str]]) -> frozenset[str]:
    """``names`` and the fixture names that request one of them, up to four levels."""
    found = set(names)
    for _ in range(4):
        grown = {name for name, args in requests.items() if args & found} - found
        if not grown:
            break
        found |= grown
    return frozenset(found)


def _autouse_units(project: Project, path: str, cls: str | None, active: frozenset[str] | None = None) -> list[tuple[Unit, str]]:
    found: list[tuple[Unit, str]] = []
    for candidates in project.visible_fixtures(path, cls).values():
        fixture, where = candidates[0]
        if fixture.autouse and (active is None or fixture.name in active):
            unit = _units(project, where).get(fixture.qualname)
            if unit is not None:
                found.append((unit, where))
            found += _fixture_units(project, where, fixture.cls, fixture.args, fixture)
    return found


def _patch_hits(facts: Facts, patch_path: str, patches, env: frozenset[str], attrs: frozenset[Func], funcs: frozenset[Func]):
    for patch in patches:
        if patch.kind == "env" and env and (patch.key == "*" or "*" in env or patch.key in env):
            return patch
        if patch.kind == "attr":
            found = facts.resolve(patch.key, patch_path)
            if found is not None and (found in attrs or found in funcs):
                return patch
    return None


def _rel(project: Project, path: str) -> str:
    root = project.root_of(path)
    return os.path.relpath(path, root)


def _describe_patch(patch) -> str:
    if patch.kind == "env":
        return f"os.environ[{patch.key!r}]" if patch.key != "*" else "os.environ"
    return patch.key


# SLK601 ----------------------------------------------------------------------------------
def memo_outlives_patch(
    project: Project, facts: Facts, path: str, data: FileRecord, order: OrderRecord | None = None
) -> Iterator[Diagnostic]:
    memo_targets: dict[str, bool] = {}  # the file's call targets: whether one reaches a memoized function
    for unit in data.units:
        if not unit.calls or (order is not None and unit.qualname in order.isolated):
            continue
        own = [(p, path) for p in unit.patches]
        helpers = facts.fixture_units(path, unit.cls, unit.args)
        autouse = facts.autouse_units(path, unit.cls)
        inherited = [(p, where) for helper, where in helpers for p in helper.patches]
        # a cache-reset fixture (one that clears caches) that also patches: its patches count only for
        # the memoized functions it was written for (see _reset_scope), even when it is autouse
        resetters = list({
            id(helper): (helper, where) for helper, where in helpers + autouse
            if helper.kind == "fixture" and helper.clears and "*" not in helper.clears
        }.values())  # fmt: skip
        requested = {id(helper) for helper, _w in helpers}
        reset_patches = [(p, where, helper) for helper, where in resetters if id(helper) not in requested for p in helper.patches]
        if not own and not inherited and not reset_patches:
            continue
        # then whether a call reaches a memoized function at all (resolving calls is the costly part)
        for call in unit.calls:
            hit = memo_targets.get(call.target)
            if hit is None:
                hit = memo_targets[call.target] = facts.reaches_memo(facts.entry(facts.resolve(call.target, path)))
            if hit:
                break
        else:
            continue
        # the test's own clears protect later tests only when they come after the call: a clear
        # before the patch and the call leaves the cache holding the patched result
        own_lines = order.clears.get(unit.qualname, {}) if order is not None else {}
        timed = {c for c in unit.clears if c in own_lines and c != "*"}
        names = [(c, path) for c in unit.clears if c not in timed]
        for helper, where in helpers + autouse:
            names += [(c, where) for c in helper.clears]
        if any(c == "*" for c, _w in names):
            continue  # a cache cleared through a name not known: assume it is this one
        cleared = {facts.resolve(c, w) for c, w in names}
        last_clear = {facts.resolve(c, path): max(own_lines[c]) for c in timed}
        cleared_by = {
            facts.resolve(c, where): helper for helper, where in resetters for c in helper.clears
        }  # fmt: skip
        reported: set[Func] = set()
        sites: set[tuple[int, int]] = set()  # one finding per call site (a fixture's modules: several targets)
        for call in unit.calls:
            if (call.line, call.col) in sites:
                continue
            found = facts.resolve(call.target, path)
            start = facts.entry(found)
            if start is None or facts.function(start) is None:
                continue
            if call.access and (start != found or not facts.function(start).prop):  # type: ignore[union-attr]
                continue  # an attribute read that is not a property: nothing runs
            shared = facts.on_instance(call.target, path)
            receivers = facts.reach_receivers(start, shared)
            reached = [(func, chain) for func, chain, _s in receivers]
            long_lived = {func for func, _c, keeps in receivers if keeps}
            for func, _chain in reached:
                summary = facts.function(func)
                for name in summary.clears if summary else ():
                    cleared.add(("*", "*") if name == "*" else facts.resolve(name, func[0]))
            if ("*", "*") in cleared:
                break
            for func, chain in reached:
                summary = facts.function(func)
                if summary is None or not summary.memo or func in reported or func in cleared:
                    continue
                if summary.memo_scope == "instance" and func not in long_lived:
                    continue  # a cache per receiver, and the receiver is the test's own
                if last_clear.get(func, 0) > call.line:
                    continue  # cleared after the call, before the test ends
                env, attrs, funcs = facts.inputs(func)
                if summary.memo_global:  # the memo global itself is not an input: writing it resets it
                    attrs = attrs - {(func[0], summary.memo_global)}
                active = [(p, w) for p, w in own if p.line <= call.line <= p.end] + inherited
                if _replaced(facts, active, path, start, chain, reached):
                    continue  # the memoized function (or a call on the way to it) is patched out
                reset = _reset_scope(facts, func, funcs, cleared_by) if not summary.memo_global else None
                if reset is not None:
                    active += [(p, where) for p, where, helper in reset_patches if helper is reset[0]]
                patch = None
                for p, where in active:
                    patch = _patch_hits(facts, where, [p], env, attrs, funcs - {func})
                    if patch is not None:
                        break
                if patch is None:
                    continue
                if summary.memo_global and _memo_global_reset(facts, path, unit, func, summary.memo_global):
                    continue
                reported.add(func)
                sites.add((call.line, call.col))
                yield _memo_diag(project, path, data, unit, call, func, summary, chain, patch, reset, reached)
                break


def _reset_scope(facts: Facts, func: Func, funcs: frozenset[Func], cleared_by: dict) -> tuple[Unit, Func] | None:
    """A cache-reset fixture the test uses that clears a memoized function of ``func``'s module,
    or one ``func`` calls, but not ``func``: (that fixture, a function it clears)."""
    for target, helper in cleared_by.items():
        if target is None or target == func:
            continue
        summary = facts.function(target)
        if summary is not None and summary.memo and (target[0] == func[0] or target in funcs):
            return helper, target
    return None


def _memo_global_reset(facts: Facts, path: str, unit: Unit, func: Func, name: str) -> bool:
    """Whether anything around the test may reset the hand-written memo ``name`` of ``func``'s
    module (precision first: naming it is enough). Silent when the test module, a conftest or
    plugin it sees, or a module defining a fixture it can request names the global or a function
    of its module that writes it (``reset_settings``); when the test or a fixture it uses reloads
    a module or edits ``sys.modules``; when one of their calls reaches a function writing it."""
    project = facts.project
    module = facts.summary(func[0])
    if module is None:
        return True
    writers = {key for key, f in module.functions.items() if name in f.resets}
    files = {path, *project.conftests(path), *project.plugins(path)}
    for candidates in project.visible_fixtures(path, unit.cls).values():
        files.update(where for _fixture, where in candidates)
    wanted = [f" {word} " for word in (name, *(w.rpartition(".")[2] for w in writers))]
    for where in files:
        facts_of = project.get(where)
        text = facts_of.rule_data.get(WORDS) if facts_of is not None else None
        if isinstance(text, str) and any(word in text for word in wanted):
            return True
    units = [(unit, path), *_fixture_units(project, path, unit.cls, unit.args), *_autouse_units(project, path, unit.cls)]
    if any(other.reloads for other, _w in units):
        return True
    if not writers:
        return False
    for other, where in units:
        for call in other.calls:
            found = facts.entry(facts.resolve(call.target, where))
            if found is not None and any(f[0] == func[0] and f[1] in writers for f, _chain in facts.reach(found)):
                return True
    return False


def _replaced(facts: Facts, active, path: str, start: Func, chain: tuple[str, ...], reached) -> bool:
    """Whether a patch in effect replaces a function of ``chain`` (``mock.patch("app.get_config",
    get_config.__wrapped__)``): the call does not reach the cache then."""
    on_chain = {start}
    by_name = {f[1]: f for f, _c in reached}
    on_chain |= {by_name[name] for name in chain if name in by_name}
    for patch, where in active:
        if patch.kind == "attr" and facts.resolve(patch.key, where) in on_chain:
            return True
    return False


def _memo_diag(
    project, path, data: FileRecord, unit: Unit, call: Call, func: Func, summary: FuncSummary, chain, patch, reset=None, reached=()
) -> Diagnostic:
    where = f"{_rel(project, func[0])}:{summary.line}"
    via = "".join(f"{_callable(Facts(project), reached, name)} -> " for name in chain[:-1])
    if summary.prop:  # a cached_property: the instance's __dict__ holds it, there is no cache_clear
        message = (
            f"{unit.kind} '{unit.name}' patches {_describe_patch(patch)} and reads {via}cached property "
            f"{func[1]} ({where}) of a module-level instance, which keeps the patched value"
        )
        return Diagnostic(
            path, call.line, call.col, "SLK601", message, call.end_line, call.end_col, None,
            owner=unit.qualname, owner_kind=unit.kind, target="memo", target_key=f"{_rel(project, func[0])}:{func[1]}",
            defined=f"{func[0]}:{summary.line}",
            fix_title=f"delete the cached value (del instance.__dict__[{func[1].rsplit('.', 1)[-1]!r}]) before and after the test",
        )  # fmt: skip
    if summary.memo_global:
        return _memo_global_diag(project, path, data, unit, call, func, summary, patch, via, where)
    if reset is not None:
        helper, other = reset
        message = (
            f"{unit.kind} '{unit.name}' calls {via}memoized {func[1]}() ({where}) under a patch; fixture "
            f"'{helper.name}' clears {other[1]}() but not {func[1]}(), which keeps the patched result"
        )
        fix_title = f"call {func[1]}.cache_clear() in '{helper.name}' too"
    else:
        message = (
            f"{unit.kind} '{unit.name}' patches {_describe_patch(patch)} and calls {via}memoized "
            f"{func[1]}() ({where}), whose cache keeps the patched result"
        )
        fix_title = f"call {func[1]}.cache_clear() before and after the test (e.g. in an autouse fixture)"
    fix = None
    found = _expression_for(project, path, data, func)
    if found is not None:
        expr, module = found
        name = f"_clear_{func[1].replace('.', '_')}_cache"
        op = FixOp(path, "clear-cache-fixture", (("expr", expr), ("name", name), ("import", module)))
        fix = Fix("unsafe", f"Add an autouse fixture that clears {func[1]}'s cache around each test", (op,))
    return _slk601(project, path, unit, call, func, summary, message, fix, fix_title, func[1])


def _slk601(
    project, path: str, unit: Unit, call: Call, func: Func, summary: FuncSummary, message: str, fix, fix_title: str, kept: str
) -> Diagnostic:
    """An SLK601 at the call; ``kept``: what holds the result (the function, or its memo global)."""
    return Diagnostic(
        path, call.line, call.col, "SLK601", message, call.end_line, call.end_col, fix,
        owner=unit.qualname, owner_kind=unit.kind, target="memo", target_key=f"{_rel(project, func[0])}:{kept}",
        defined=f"{func[0]}:{summary.line}", fix_title=fix_title,
    )  # fmt: skip


def _memo_global_diag(
    project, path, data: FileRecord, unit: Unit, call: Call, func: Func, summary: FuncSummary, patch, via: str, where: str
) -> Diagnostic:
    """SLK601 for a hand-written memo: the message names the module global that keeps the result
    and what resets it (a function of the module that writes it, else the global itself)."""
    name = summary.memo_global
    module = Facts(project).summary(func[0])
    kind = module.memo_globals.get(name, "None") if module is not None else "None"  # "dict", or the initial value
    writers = sorted(k for k, f in module.functions.items() if name in f.resets and "." not in k) if module else []
    resets = f"reset only by {writers[0]}()" if writers else "never reset"
    message = (
        f"{unit.kind} '{unit.name}' patches {_describe_patch(patch)} and calls {via}{func[1]}() ({where}), "
        f"which keeps its result in module global {name}, {resets}"
    )
    found = _module_expression(project, path, data, func[0])
    reset = ("{}." + name + ".clear()") if kind == "dict" else ("{}." + name + " = " + kind)
    if writers:
        fix_title = f"call {writers[0]}() before and after the test (e.g. in an autouse fixture)"
    elif found is not None:
        fix_title = f"reset it before and after the test ({reset.format(found[0])}, e.g. in an autouse fixture)"
    else:
        what = "clear it" if kind == "dict" else f"set it to {kind}"
        fix_title = f"{what} before and after the test (e.g. in an autouse fixture)"
    fix = None
    if found is not None:
        expr, imported = found
        op = FixOp(path, "reset-memo-fixture", (
            ("stmt", reset.format(expr)), ("name", f"_reset_{name.strip('_')}_memo"), ("import", imported),
        ))  # fmt: skip
        fix = Fix("unsafe", f"Add an autouse fixture that resets {name} around each test", (op,))
    return _slk601(project, path, unit, call, func, summary, message, fix, fix_title, name)


def _module_expression(project: Project, path: str, data: FileRecord, module: str) -> tuple[str, str] | None:
    """How the test module can name the module ``module`` at top level: (expression, module to import or "")."""
    for expr, dotted in data.top_imports:
        if project.find_module(dotted, path) == module:
            return expr, ""  # ``import app.config as cfg``, ``from app import config``
    for expr, dotted in data.top_imports:
        parent = dotted.rsplit(".", 1)[0]
        if "." in dotted and project.find_module(parent, path) == module:
            return parent, parent  # ``from app.config import get_settings``: import app.config
    return None


def _expression_for(project: Project, path: str, data: FileRecord, func: Func) -> tuple[str, str] | None:
    """How the test module can name ``func`` at top level: (expression, module to import or "")."""
    facts = Facts(project)
    owner, _, method = func[1].rpartition(".")
    for expr, dotted in data.top_imports:
        if facts.resolve(dotted, path) == func:
            return expr, ""
        if owner and facts.resolve(dotted, path) == (func[0], owner):
            return f"{expr}.{method}", ""  # ``from app.core import Keyring``: ``Keyring.is_available``
        if project.find_module(dotted, path) == func[0]:
            return f"{expr}.{func[1]}", ""
    for _expr, dotted in data.top_imports:  # an import of another name of the same module
        module = dotted.rsplit(".", 1)[0]
        if "." in dotted and project.find_module(module, path) == func[0]:
            return f"{module}.{func[1]}", module
    return None


def _callable(facts: Facts, reached, name: str) -> str:
    """``name()`` in a chain, or ``name`` for a property (reading it runs it)."""
    for func, _chain in reached:
        if func[1] == name:
            summary = facts.function(func)
            return name if summary is not None and summary.prop else f"{name}()"
    return f"{name}()"
