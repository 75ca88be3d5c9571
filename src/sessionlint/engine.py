"""The engine: discover, extract (cached, parallel), resolve, filter, fix. No I/O to the user."""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, fields
from typing import Iterable, Iterator

from sessionlint import noqa
from sessionlint.cache import (
    NOT_ANALYSIS_SETTINGS, UNREADABLE, Cache, RunRecord, _dir_stamp, _file_stamp, analysis_digest, loads,
)  # fmt: skip
from sessionlint.config import Settings
from sessionlint.discovery import discover, walk
from sessionlint.index import Project
from sessionlint.edits import Edit, diff_edits
from sessionlint.model import Diagnostic, FileFacts, Fix, FixError, FixOp
from sessionlint.modules import ModuleFinder
from sessionlint.rootdir import config_file, find_rootdir
from sessionlint.sources import SourceError, decode, parse

__all__ = ["NOT_ANALYSIS_SETTINGS", "Cache", "Engine", "FixEdits", "FixResult", "Result", "analysis_digest"]

MAX_FIX_PASSES = 10
# Below this many files to extract, a process pool costs more than it saves.
MIN_FILES_FOR_POOL = 24


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # internal errors, one line each
    files: int = 0  # files linted
    extracted: int = 0  # files analysed afresh (not from the cache)


@dataclass
class FixResult:
    result: Result  # what remains after fixing
    texts: dict[str, str] = field(default_factory=dict)  # path -> fixed text, only changed files
    applied: int = 0  # diagnostics whose fix was applied
    fixed: list[Diagnostic] = field(default_factory=list)  # those diagnostics (for --show-fixes)
    failures: list[str] = field(default_factory=list)


def _extract_file(path: str, settings: Settings, text: str | None = None, modules: ModuleFinder | None = None) -> FileFacts:
    """Facts for one file; any failure becomes SLK001 or an internal error, never an exception."""
    try:
        if text is not None:
            from sessionlint.extract import extract_text

            return extract_text(path, text, settings, modules=modules)
        from sessionlint.extract import extract  # not needed by a run whose result is reused

        with open(path, "rb") as f:
            data = f.read()
        return extract(path, data, settings, modules)
    except OSError as exc:
        facts = FileFacts(path)
        what, error = "file", exc
        if os.path.isdir(path):  # discovery hands over the directories it could not list
            what = "directory"
            try:
                os.scandir(path).close()
            except OSError as listing:
                error = listing
        facts.diagnostics.append(
            Diagnostic(path, 1, 1, "SLK001", f"cannot read {what}: {error.strerror or error}", 1, 1)
        )
        facts.rule_data[UNREADABLE] = True
        return facts
    except Exception as exc:  # noqa: BLE001 - reported as an internal error for this file
        facts = FileFacts(path)
        facts.internal_error = f"{type(exc).__name__}: {exc}"
        return facts


def _not_a_rootdir(directory: str) -> bool:
    return config_file(directory) is None


def _extract_many(
    paths: list[str], settings: Settings, root: str | None = None, pythonpath: tuple[str, ...] = ()
) -> list[tuple[str, bytes]]:
    """In a worker: each file's facts, pickled here, once: the main process keeps these bytes for the
    cache instead of pickling every file's facts again when it saves."""
    modules = ModuleFinder(root, pythonpath)  # one per worker chunk: it remembers the files it looked for
    return [
        (p, pickle.dumps(_extract_file(p, settings, modules=modules), protocol=pickle.HIGHEST_PROTOCOL))
        for p in paths
    ]  # fmt: skip


# A whole-run result is not stored when something it depends on changed this recently (nanoseconds):
# a change made during the run, stamped by a coarse file-system clock, could look older than the run.
RACY_NS = 1_000_000_000


class Engine:
    def __init__(
        self,
        settings: Settings,
        jobs: int = 1,
        cache_dir: str | None = None,
        rootdir: str | None = None,
        cache: Cache | None = None,
    ) -> None:
        self.settings = settings
        # pytest's rootdir: the settings' own (a sub-directory with its own pytest configuration),
        # else the one handed in; None: found from the paths of each run
        self.rootdir = settings.rootdir or rootdir
        self.honour_noqa = True  # the flake8 face leaves ``# noqa`` to flake8 (--disable-noqa)
        self.jobs = max(1, jobs)
        # ``cache``: one shared by engines whose settings have the same analysis digest (the CLI's
        # groups of one configuration under several pytest rootdirs), so a file is read once
        self.cache = cache if cache is not None else Cache(cache_dir, settings)
        self._discovered: dict[str, list[str]] = {}
        self._extracted = 0
        self.modules: ModuleFinder | None = None
        # what the cross-file step of the current run looked at, beyond the module search's questions:
        # files loaded on demand, directories walked or looked into for a pytest configuration
        self._loaded: set[str] = set()
        self._walked: set[str] = set()
        self._looked: set[str] = set()
        # extracted ahead of their first use (``_prefetch``): counted as extracted when first loaded
        self._prefetched: set[str] = set()
        # one process pool per run, started on first use: ``_prefetch`` reuses it
        self._pool: ProcessPoolExecutor | None = None
        self._pool_failed = False

    # extraction ---------------------------------------------------------------------
    def _cached(self, path: str) -> FileFacts | None:
        """Cached facts of ``path``, unless a module they assumed is not the project's now is."""
        cached = self.cache.get(path)
        if cached is not None and cached.assumed_absent and self.modules is not None:
            if cached.assumed_search != self.modules.key or not self.modules.still_absent(cached.assumed_absent, path):
                return None
        return cached

    def _facts(self, paths: list[str], overrides: dict[str, str]) -> tuple[dict[str, FileFacts], int]:
        facts: dict[str, FileFacts] = {}
        todo: list[str] = []
        modules = self.modules
        for path in paths:
            if path in overrides:
                facts[path] = _extract_file(path, self.settings, overrides[path], modules)
                continue
            cached = self._cached(path)
            if cached is not None:
                facts[path] = cached
            else:
                todo.append(path)
        facts.update(self._extract_all(todo))
        return {p: facts[p] for p in paths}, len(todo) + sum(1 for p in paths if p in overrides)

    def _extract_all(self, todo: list[str], least: int | None = None) -> dict[str, FileFacts]:
        """Facts of files the cache does not hold, extracted in the process pool when there are
        enough of them (``least``, default ``MIN_FILES_FOR_POOL``), and cached."""
        facts: dict[str, FileFacts] = {}
        pickled: dict[str, bytes] = {}
        modules = self.modules
        if self.jobs > 1 and len(todo) >= (MIN_FILES_FOR_POOL if least is None else least) and not self._pool_failed:
            chunks = [todo[i :: self.jobs * 4] for i in range(min(self.jobs * 4, len(todo)))]
            try:
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(max_workers=self.jobs)
                root, pythonpath = modules.key if modules is not None else (None, ())
                n = len(chunks)
                for chunk_facts in self._pool.map(_extract_many, chunks, [self.settings] * n, [root] * n, [pythonpath] * n):
                    for path, data in chunk_facts:
                        item = loads(data)
                        if isinstance(item, FileFacts):
                            facts[path] = item
                            pickled[path] = data
                    self._settle()
            except (BrokenProcessPool, OSError, ImportError, NotImplementedError, pickle.PicklingError):
                # a worker was killed (out of memory...) or no pool here (no sem_open): go on below,
                # and in this process for the rest of the run
                self._pool_failed = True
                self._close_pool()
        for path in todo:
            if path not in facts:
                facts[path] = _extract_file(path, self.settings, modules=modules)
        for path in todo:
            self.cache.put(path, facts[path], pickled.get(path))
        return facts

    def _settle(self) -> None:
        """Facts a worker handed over stay to the end of a command-line run (``Cache.freeze``): moved
        out of the cyclic collector's sight, as the cache's are, instead of being traversed by every
        full collection the rest of the run makes (1.5 s of pandas' whole tree in the main process)."""
        if self.cache.freeze:
            gc.freeze()

    def _close_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _load_extra(self, overrides: dict[str, str]):
        def load(path: str) -> FileFacts | None:
            if path in overrides:
                return _extract_file(path, self.settings, overrides[path], self.modules)
            self._loaded.add(path)
            if path in self._prefetched:
                self._prefetched.discard(path)
                self._extracted += 1
            cached = self._cached(path)
            if cached is None:
                cached = _extract_file(path, self.settings, modules=self.modules)
                self.cache.put(path, cached)
                self._extracted += 1
            return cached

        return load

    def _enter_unless_rootdir(self, directory: str) -> bool:
        self._looked.add(directory)  # its files tell: recorded for the run's result
        return _not_a_rootdir(directory)

    def _discover_under(self, directory: str) -> list[str]:
        """Test modules and conftests below ``directory`` that share this engine's rootdir: with
        per-directory rootdirs (``Settings.rootdir``), a sub-directory holding a pytest configuration
        of its own is another rootdir, whose tests never see this one's conftests."""
        if directory not in self._discovered:
            enter = self._enter_unless_rootdir if self.settings.rootdir else None
            visited: list[str] = []
            self._discovered[directory] = list(walk(directory, self.settings, enter=enter, visited=visited))
            self._walked.update(visited)
        return self._discovered[directory]

    # linting --------------------------------------------------------------------------
    def lint(self, paths: Iterable[str], overrides: dict[str, str] | None = None, files: list[str] | None = None) -> Result:
        try:
            return self._lint(paths, overrides, files)
        finally:
            self._close_pool()
            self._prefetched.clear()

    def _lint(self, paths: Iterable[str], overrides: dict[str, str] | None, files: list[str] | None) -> Result:
        overrides = overrides or {}
        paths = list(paths)
        targets = files if files is not None else discover(paths, self.settings)
        root = self.rootdir or find_rootdir(paths or targets)
        self.modules = ModuleFinder(root, self.settings.pythonpath)  # one per run: files come and go
        # the whole run's result, when nothing it depends on changed (not for unsaved texts)
        run_key = None if overrides or not self.cache.directory else self._run_key(paths, targets, root)
        if run_key is not None:
            record = self.cache.run(run_key)
            if record is not None:
                return Result(diagnostics=list(record.diagnostics), files=record.linted)
        started = time.time_ns()
        self._loaded.clear()
        self._walked.clear()
        self._looked.clear()
        facts, self._extracted = self._facts(targets, overrides)
        project = Project(
            facts, self._load_extra(overrides), self._discover_under, self.settings.is_test_file, root=root,
            confcutdir=self.settings.confcutdir or None, pythonpath=self.settings.pythonpath, modules=self.modules,
        )
        self._add_fixture_modules(project, [os.path.abspath(p) for p in paths if os.path.isdir(p)], overrides)
        result = Result(files=len(project.facts))
        diagnostics: list[Diagnostic] = []
        for item in project.facts.values():
            diagnostics.extend(item.diagnostics)
            if item.internal_error:
                result.errors.append(f"{item.path}: internal error: {item.internal_error}")
        from sessionlint.rules import MODULES

        for module in MODULES:
            check = getattr(module, "check_project", None)
            if check is None:
                continue
            try:
                diagnostics.extend(check(project, self.settings))
            except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the run
                result.errors.append(f"internal error in {module.__name__}: {type(exc).__name__}: {exc}")
        for item in project.loaded():  # a module read on demand whose facts failed is no silent gap
            if item.internal_error:
                result.errors.append(f"{item.path}: internal error: {item.internal_error}")
        result.diagnostics = sorted(set(self._filter(project, diagnostics)), key=Diagnostic.sort_key)
        result.extracted = self._extracted
        if run_key is not None and not result.errors:
            record = self._record(project, result, started)
            if record is not None:
                self.cache.put_run(run_key, record)
        self.cache.save()
        return result

    def _run_key(self, paths: list[str], targets: list[str], root: str) -> str:
        """Everything a run's result depends on besides the file system: the settings (selection
        included: the result is filtered), the roots, the working directory, the paths and files."""
        settings = tuple((f.name, getattr(self.settings, f.name)) for f in fields(self.settings) if f.compare)
        assert self.modules is not None
        key = (
            settings, self.rootdir, root, self.modules.key, self.honour_noqa, os.getcwd(),
            [os.path.abspath(p) for p in paths], targets,
        )  # fmt: skip
        return hashlib.sha256(repr(key).encode()).hexdigest()

    def _record(self, project: Project, result: Result, started: int) -> RunRecord | None:
        """What this run's result depends on in the file system, or None when it cannot be told (a
        file unreadable or changed while the run went on)."""
        assert self.modules is not None
        modules = self.modules
        for facts in project.facts.values():
            if facts.rule_data.get(UNREADABLE) or facts.internal_error:
                return None
            if facts.assumed_absent:  # ask what a later run asks before reusing these facts
                modules.still_absent(facts.assumed_absent, facts.path)
        for path in self._loaded:
            facts = project.get(path)
            if facts is not None and facts.assumed_absent:
                modules.still_absent(facts.assumed_absent, path)
        from sessionlint.rootdir import INI_FILES

        files = set(project.facts) | self._loaded
        for directory in self._looked:  # a pytest configuration there makes it another rootdir
            files.update(p for p in (os.path.join(directory, name) for name in INI_FILES) if modules.isfile(p))
        dirs = modules.directories() | self._walked | self._looked
        stamps = tuple((p, _file_stamp(p)) for p in sorted(files))
        dir_stamps = tuple((d, _dir_stamp(d)) for d in sorted(dirs))
        # not recorded when anything changed too recently: it may have changed during the run
        recent = started - RACY_NS
        if any(s is not None and s[0] >= recent for _, s in stamps) or any(
            s is not None and s[1] >= recent for _, s in dir_stamps
        ):
            return None
        return RunRecord(stamps, dir_stamps, tuple(result.diagnostics), result.files)

    def _add_fixture_modules(self, project: Project, directories: list[str], overrides: dict[str, str]) -> None:
        """Modules that provide fixtures or test helpers to linted files (``pytest_plugins``,
        ``from x import *``, ``from common import helper``) are linted too, when they lie below a
        directory being linted; found the way a test run finds them (``src/`` layouts included)."""
        from sessionlint.collection import provides_test_code

        prefixes = tuple(os.path.join(d, "") for d in directories)
        wanted: dict[str, None] = {}
        passed: set[str] = set()  # each module once: a whole repository's tests import the same ones
        for path in list(project.facts):
            facts = project.facts[path]
            sources = project.plugins(path)
            for imp in facts.imports:
                target = project.find_module(imp.module, path, imp.level)
                if target is not None:
                    sources.append(target)
            for source in sources:
                if source in passed:
                    continue
                passed.add(source)
                if source in project.facts or not source.startswith(prefixes) or self.settings.excluded_path(source):
                    continue
                wanted[source] = None
        # a whole repository imports hundreds of its own modules: those the cache lacks are
        # extracted in the pool, with the modules they import, before they are looked at one by one
        assert self.modules is not None
        if self._pool is None:
            todo = [p for p in wanted if p not in overrides and self.modules.isfile(p) and self._cached(p) is None]
            if len(todo) >= MIN_FILES_FOR_POOL:
                self._extract_all(todo)
                self._prefetched.update(todo)
        if self._pool is not None:
            self._prefetch(list(wanted), list(project.facts.values()), overrides)
        for source in wanted:
            loaded = project.get(source)
            if loaded is not None and provides_test_code(loaded):
                project.facts[source] = loaded

    def _imported_modules(self, facts: FileFacts) -> Iterator[str]:
        """The files of the modules ``facts`` imports from at module level or names in ``pytest_plugins``."""
        modules = self.modules
        assert modules is not None
        for imp in facts.imports:
            target = modules.find(imp.module, facts.path, imp.level)
            if target is not None:
                yield target
        for name in facts.pytest_plugins:
            target = modules.find(name, facts.path)
            if target is not None:
                yield target

    def _prefetch(self, first: list[str], roots: list[FileFacts], overrides: dict[str, str]) -> None:
        """Extract in the running pool the modules ``first`` and those the fixture index will read: it
        looks for fixtures in every module a linted file imports from at module level, and in every
        module those import from (``Project.exported``), loading each on demand, one by one in this
        process. Here each is handed to the pool as soon as a module importing it is known (cached, or
        extracted: a worker's result is followed as it comes), so the workers never wait for a whole
        level of imports to finish."""
        modules = self.modules
        assert modules is not None
        root, pythonpath = modules.key
        seen = {facts.path for facts in roots}
        queue: deque[str] = deque(first)
        for facts in roots:
            queue.extend(self._imported_modules(facts))
        pending: dict[Future, str] = {}
        while self._pool is not None:
            while queue:
                path = queue.popleft()
                if path in seen:
                    continue
                seen.add(path)
                if path in overrides or not modules.isfile(path):
                    continue
                cached = self._cached(path)
                if cached is not None:
                    queue.extend(self._imported_modules(cached))
                    continue
                try:
                    pending[self._pool.submit(_extract_many, [path], self.settings, root, pythonpath)] = path
                except (BrokenProcessPool, RuntimeError, OSError):
                    self._pool_failed = True
                    self._close_pool()  # the rest loads on demand
                    return
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                path = pending.pop(future)
                try:
                    [(_, data)] = future.result()
                except (BrokenProcessPool, OSError, ImportError, NotImplementedError, pickle.PicklingError):
                    self._pool_failed = True
                    self._close_pool()
                    return
                facts = loads(data)
                if not isinstance(facts, FileFacts):
                    continue
                self._settle()
                self.cache.put(path, facts, data)
                if self._cached(path) is facts:
                    self._prefetched.add(path)
                queue.extend(self._imported_modules(facts))

    def _filter(self, project: Project, diagnostics: list[Diagnostic]) -> Iterable[Diagnostic]:
        settings = self.settings
        for diag in diagnostics:
            if not settings.enabled(diag.code) or settings.ignored_in(diag.path, diag.code):
                continue
            facts = project.facts.get(diag.path)
            if self.honour_noqa and facts is not None and diag.line in facts.noqa:
                if noqa.suppresses(facts.noqa[diag.line], diag.code):
                    continue
            yield diag

    # fixing ---------------------------------------------------------------------------
    def fix(self, paths: Iterable[str], unsafe: bool = False) -> FixResult:
        """Apply fixes until none is left (at most MAX_FIX_PASSES passes); nothing is written.

        A fix that libcst cannot apply, or whose result would not parse, is
        reported in ``failures`` and left out; the other fixes of the file
        still apply. A fixer that crashes is an internal error for that file
        (in ``result.errors``); the rest of the run goes on.
        """
        paths = list(paths)
        files = discover(paths, self.settings)
        texts: dict[str, str] = {}
        originals: dict[str, str] = {}
        failed: set[FixOp] = set()
        errors: list[str] = []
        outcome = FixResult(Result())

        def fixable_in(result: Result) -> list[Diagnostic]:
            return [
                d for d in result.diagnostics
                if d.fix is not None and (unsafe or d.fix.applicability == "safe")
                and not any(op in failed for op in d.fix.ops)
            ]  # fmt: skip

        settled = False
        for _ in range(MAX_FIX_PASSES):
            fixable = fixable_in(self.lint(paths, texts, files=files))
            if not fixable:
                settled = True
                break
            first = min(d.fix.priority for d in fixable if d.fix)
            fixable = [d for d in fixable if d.fix and d.fix.priority == first]
            by_path: dict[str, list[FixOp]] = {}
            for diag in fixable:
                assert diag.fix is not None
                for op in diag.fix.ops:
                    ops = by_path.setdefault(op.path, [])
                    if op not in ops:
                        ops.append(op)
            changed = False
            for path, ops in by_path.items():
                current = texts.get(path)
                if current is None:
                    try:
                        with open(path, "rb") as f:
                            current = decode(f.read()).text
                    except (OSError, SourceError) as exc:
                        outcome.failures.append(f"{path}: not fixed: {exc}")
                        failed.update(ops)
                        continue
                    originals[path] = current
                new, bad = _apply_fixes(path, current, ops, outcome.failures, errors)
                failed.update(bad)
                if new != current:
                    texts[path] = new
                    changed = True
            applied = [d for d in fixable if d.fix and not any(op in failed for op in d.fix.ops)]
            outcome.applied += len(applied)
            outcome.fixed.extend(applied)
            if not changed:
                settled = True
                break
        outcome.result = self.lint(paths, texts, files=files)
        if not settled and fixable_in(outcome.result):
            outcome.failures.append(
                f"fixes did not settle after {MAX_FIX_PASSES} passes; the files are fixed as far as they got "
                "(please report this)"
            )
        outcome.result.errors.extend(errors)
        outcome.texts = {p: t for p, t in texts.items() if t != originals.get(p)}
        return outcome


def _apply_once(path: str, text: str, ops: list[FixOp]) -> str:
    """The fixed text; raises FixError (cannot apply) or SyntaxError (the result does not parse)."""
    from sessionlint import fixes  # libcst is imported only when something is fixed

    try:
        new = fixes.apply_ops(text, ops)
    except RecursionError:
        raise FixError("the file is nested too deeply for libcst") from None
    try:
        parse(new, path)
    except SyntaxError:
        raise
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SyntaxError(f"{type(exc).__name__}: {exc}") from None
    return new


def _apply_fixes(
    path: str, text: str, ops: list[FixOp], failures: list[str], errors: list[str]
) -> tuple[str, list[FixOp]]:
    """Apply ``ops`` to one file's text: all at once, or, when that fails, one at a time,
    leaving out those that fail. Returns the new text and the ops left out."""
    bad: list[FixOp] = []
    batches = [ops]
    while batches:
        batch = batches.pop(0)
        try:
            fixed = _apply_once(path, text, batch)
        except Exception as exc:  # noqa: BLE001 - one fixer's failure must not stop the run
            whole_file = isinstance(exc, FixError) and str(exc).startswith("libcst cannot parse")
            if len(batch) > 1 and not whole_file:
                batches = [[op] for op in batch] + batches
                continue
            bad.extend(batch)
            kinds = ", ".join(sorted({op.kind for op in batch}))
            if isinstance(exc, FixError):
                failures.append(f"{path}: not fixed ({kinds}): {exc}")
            elif isinstance(exc, SyntaxError):
                failures.append(f"{path}: fix not applied ({kinds}), the result would not parse: {exc.msg}")
            else:
                errors.append(f"{path}: internal error in fixer {kinds}: {type(exc).__name__}: {exc}")
            continue
        text = fixed
    return text, bad


# fix edits for the reporters --------------------------------------------------------------
class FixEdits:
    """Concrete edits for fixes, computed on demand and cached per (file, operations)."""

    def __init__(self, sources: dict[str, str] | None = None) -> None:
        self.sources = dict(sources or {})  # path -> text, for files not read from disk (stdin)
        self._cache: dict[tuple[str, tuple[FixOp, ...]], tuple[Edit, ...] | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self.sources:
            from sessionlint.sources import SourceError, read

            try:
                self.sources[path] = read(path).text
            except (OSError, SourceError):
                return None
        return self.sources[path]

    def edits(self, fix: Fix) -> list[Edit] | None:
        """The edits of ``fix`` against the current files; None when it cannot be applied."""
        by_path: dict[str, list[FixOp]] = {}
        for op in fix.ops:
            ops = by_path.setdefault(op.path, [])
            if op not in ops:
                ops.append(op)
        edits: list[Edit] = []
        for path, ops in by_path.items():
            key = (path, tuple(ops))
            if key not in self._cache:
                self._cache[key] = self._compute(path, ops)
            found = self._cache[key]
            if found is None:
                return None
            edits.extend(found)
        return edits or None

    def _compute(self, path: str, ops: list[FixOp]) -> tuple[Edit, ...] | None:
        from sessionlint.fixes import apply_ops

        text = self.text(path)
        if text is None:
            return None
        try:
            new = apply_ops(text, ops)
            parse(new, path)
        except Exception:  # noqa: BLE001 - FixError, SyntaxError, a fixer's bug: the fix is not offered
            return None
        return tuple(diff_edits(path, text, new))
