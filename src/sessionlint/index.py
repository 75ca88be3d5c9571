"""The cross-file fixture index: resolve a requested name the way pytest does.

For a consumer in ``path`` (inside class ``cls``) the candidates, nearest
first, are: the class and its enclosing classes, the module (including
fixtures it imports: ``from .fixtures import *``), each ``conftest.py`` from
the module's directory up to the project root, the modules named in
``pytest_plugins``, and pytest's built-in fixtures. A fixture that requests
its own name gets the next definition farther out, as in pytest.

Files outside the linted set (a conftest above a file pre-commit passed
alone, a plugin module) are loaded on demand through ``loader``, so the
answer never depends on which files are in a batch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Iterable

from sessionlint.rootdir import common_ancestor, find_rootdir, is_within
from sessionlint.modules import ModuleFinder
from sessionlint.model import BROAD_SCOPES, SCOPE_RANK, FileFacts, FixtureDef

# pytest's own fixtures and those of the most common plugins, with their scopes.
BUILTIN_FIXTURES: dict[str, str] = {
    "tmp_path": "function", "tmpdir": "function", "monkeypatch": "function", "capsys": "function",
    "capsysbinary": "function", "capfd": "function", "capfdbinary": "function", "caplog": "function",
    "recwarn": "function", "pytester": "function", "testdir": "function", "record_property": "function",
    "record_xml_attribute": "function", "subtests": "function", "capteesys": "function",
    "tmp_path_factory": "session", "tmpdir_factory": "session", "pytestconfig": "session",
    "record_testsuite_property": "session", "doctest_namespace": "session", "cache": "session",
    "worker_id": "session", "testrun_uid": "session",
    "mocker": "function", "class_mocker": "class", "module_mocker": "module",
    "package_mocker": "package", "session_mocker": "session",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Resolved:
    name: str
    fixture: FixtureDef | None  # None for a built-in fixture
    path: str | None
    scope: str | None

    @property
    def builtin(self) -> bool:
        return self.fixture is None


@dataclass(frozen=True, slots=True)
class Shared:
    """Why a fixture's value outlives one test."""

    label: str  # "session-scoped", "module state", ...
    rank: int  # comparable with SCOPE_RANK; module state outranks session
    resolved: Resolved


_Candidate = tuple[FixtureDef, str]


class Project:
    def __init__(
        self,
        facts: dict[str, FileFacts],
        loader: Callable[[str], FileFacts | None],
        discover: Callable[[str], list[str]] | None = None,
        is_test_file: Callable[[str], bool] | None = None,
        root: str | None = None,
        confcutdir: str | None = None,
        pythonpath: Iterable[str] = (),
        modules: ModuleFinder | None = None,
    ) -> None:
        self.facts = facts  # the linted files, by absolute path
        self._loader = loader
        self._discover = discover
        self._is_test_file = is_test_file
        self._extra: dict[str, FileFacts | None] = {}
        # pytest's rootdir (sessionlint.rootdir): nothing above it is discovered or read
        if root is None and facts:
            ancestor = common_ancestor(list(facts), os.getcwd())
            root = find_rootdir([ancestor], invocation_dir=ancestor)
        self.root = root
        # pytest's --confcutdir (default: the rootdir): conftests in directories above it are not
        # loaded; one above the rootdir is the rootdir (nothing above the root is read)
        self.confcutdir = confcutdir if confcutdir and root and is_within(confcutdir, root) else None
        # the run's module search (the engine's, shared with extraction), or one of its own
        self.modules = modules if modules is not None else ModuleFinder(root, pythonpath)
        self._exports: dict[str, list[_Candidate]] = {}
        self._chains: dict[tuple[str, str | None], dict[str, list[_Candidate]]] = {}
        self._conftests: dict[str, list[str]] = {}

    # files -------------------------------------------------------------------
    def get(self, path: str) -> FileFacts | None:
        if path in self.facts:
            return self.facts[path]
        if path not in self._extra:
            self._extra[path] = self._loader(path) if self.modules.isfile(path) else None
        return self._extra[path]

    def loaded(self) -> list[FileFacts]:
        """The facts of the files read on demand (first-party modules, conftests outside the run)."""
        return [item for item in self._extra.values() if item is not None]

    def is_root(self, directory: str) -> bool:
        """Whether the upward walks (conftests, module search) stop at ``directory``: the project
        root, or the directory of a file outside it (a file is never read above its own level)."""
        return self.modules.is_root(directory)

    def root_of(self, path: str) -> str:
        directory = os.path.dirname(path)
        if self.root is not None and is_within(directory, self.root):
            return self.root
        return directory

    def visible_from(self, path: str) -> list[str]:
        """The files whose tests and fixtures can request a fixture defined in ``path``."""
        if self._discover is None:
            return list(self.facts)
        if os.path.basename(path) == "conftest.py":
            return self._discover(os.path.dirname(path))
        if self._is_test_file is not None and self._is_test_file(path):
            return [path]
        return self._discover(self.root_of(path))

    def conftests(self, path: str) -> list[str]:
        """conftest.py files that apply to ``path``, nearest first, up to the project root (pytest's
        rootdir), leaving out those above ``--confcutdir``."""
        return [c for c in self._dir_conftests(os.path.dirname(path)) if c != path]

    def _dir_conftests(self, directory: str) -> list[str]:
        found = self._conftests.get(directory)
        if found is None:
            candidate = os.path.join(directory, "conftest.py")
            found = [candidate] if self.modules.isfile(candidate) and not self._above_confcutdir(directory) else []
            parent = os.path.dirname(directory)
            if not self.is_root(directory) and parent != directory:
                found = found + self._dir_conftests(parent)
            self._conftests[directory] = found
        return found

    def _above_confcutdir(self, directory: str) -> bool:
        """pytest's ``_is_in_confcutdir`` negated: ``directory`` is a strict ancestor of --confcutdir."""
        cut = self.confcutdir
        return cut is not None and directory != cut and is_within(cut, directory)

    def find_module(self, module: str, from_path: str, level: int = 0) -> str | None:
        """The file a module name refers to, searched the way a test run would find it."""
        return self.modules.find(module, from_path, level)

    # fixtures visible in a module ----------------------------------------------
    def exported(self, path: str, _seen: frozenset[str] = frozenset()) -> list[_Candidate]:
        """Module-level fixtures of ``path``, including those it imports."""
        if path in self._exports:
            return self._exports[path]
        facts = self.get(path)
        result: list[_Candidate] = []
        if facts is not None:
            result = [(f, path) for f in facts.fixtures if f.cls is None]
            if path not in _seen:
                result += self._imported(facts, _seen | {path})
        self._exports[path] = result
        return result

    def _imported(self, facts: FileFacts, seen: frozenset[str]) -> list[_Candidate]:
        result: list[_Candidate] = []
        for imp in facts.imports:
            if imp.name == "*":
                target = self.find_module(imp.module, facts.path, imp.level)
                if target is not None and target not in seen:
                    result += [c for c in self.exported(target, seen) if not c[0].name.startswith("_")]
                continue
            target = self.find_module(imp.module, facts.path, imp.level)
            if target is None or target in seen:
                continue
            for fixture, where in self.exported(target, seen):
                if fixture.func == imp.name or fixture.name == imp.name:
                    result.append((_renamed(fixture, imp.asname), where))
        return result

    def plugins(self, path: str) -> list[str]:
        """Modules named in ``pytest_plugins`` by ``path`` or its conftests, recursively."""
        found: list[str] = []
        queue = [path, *self.conftests(path)]
        seen: set[str] = set()
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            facts = self.get(current)
            if facts is None:
                continue
            for name in facts.pytest_plugins:
                target = self.find_module(name, current)
                if target is not None and target not in seen:
                    found.append(target)
                    queue.append(target)
        return found

    def visible_fixtures(self, path: str, cls: str | None) -> dict[str, list[_Candidate]]:
        """Every fixture a test in ``path`` (class ``cls``) can request, by name, nearest first."""
        return self._chain(path, cls)

    def _chain(self, path: str, cls: str | None) -> dict[str, list[_Candidate]]:
        key = (path, cls)
        chain = self._chains.get(key)
        if chain is not None:
            return chain
        ordered: list[_Candidate] = []
        facts = self.get(path)
        if facts is not None and cls:
            parts = cls.split(".")
            for i in range(len(parts), 0, -1):
                scope_cls = ".".join(parts[:i])
                ordered += [(f, path) for f in facts.fixtures if f.cls == scope_cls]
        ordered += self.exported(path)
        for conftest in self.conftests(path):
            ordered += self.exported(conftest)
        for plugin in self.plugins(path):
            ordered += self.exported(plugin)
        chain = {}
        for fixture, where in ordered:
            chain.setdefault(fixture.name, []).append((fixture, where))
        self._chains[key] = chain
        return chain

    # resolution -----------------------------------------------------------------
    def resolve(self, name: str, path: str, cls: str | None, requester: FixtureDef | None = None) -> Resolved | None:
        candidates = self._chain(path, cls).get(name, [])
        if requester is not None and requester.name == name:
            # a fixture overriding itself gets the definition farther out
            for i, (fixture, _where) in enumerate(candidates):
                if fixture is requester or (fixture.span == requester.span and fixture.func == requester.func):
                    candidates = candidates[i + 1 :]
                    break
        if candidates:
            fixture, where = candidates[0]
            return Resolved(name, fixture, where, fixture.scope)
        if name in BUILTIN_FIXTURES:
            return Resolved(name, None, None, BUILTIN_FIXTURES[name])
        return None

    def shared(self, resolved: Resolved | None, immutable: frozenset[str] = frozenset(), depth: int = 0) -> Shared | None:
        """Whether the value ``resolved`` hands out outlives one test, and why."""
        if resolved is None or resolved.fixture is None or resolved.name in immutable:
            return None
        fixture = resolved.fixture
        value = fixture.value
        kind = value.kind if value else "opaque"
        if kind in ("immutable", "factory"):
            return None
        if kind == "shared":
            return Shared("module state", 5, resolved)
        if kind == "param" and fixture.params_literal == "mutable":
            return Shared("parametrized", SCOPE_RANK["module"], resolved)
        if fixture.scope in BROAD_SCOPES:
            return Shared(f"{fixture.scope}-scoped", SCOPE_RANK[fixture.scope], resolved)
        if kind == "passthrough" and value is not None and depth < 5 and resolved.path:
            inner = self.resolve(value.source, resolved.path, fixture.cls, requester=fixture)
            found = self.shared(inner, immutable, depth + 1)
            if found is not None:
                return Shared(found.label, found.rank, found.resolved)
        return None


def _renamed(fixture: FixtureDef, asname: str) -> FixtureDef:
    if fixture.has_name_kwarg or asname == fixture.name:
        return fixture
    from dataclasses import replace

    return replace(fixture, name=asname)

