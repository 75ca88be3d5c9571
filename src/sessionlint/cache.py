"""The cache: each file's facts, and whole runs' results with what they depend on.

Two pickle files per cache key in the cache directory (``.sessionlint_cache``), each read on first
use: ``facts-*`` (path -> (mtime_ns, size, the pickled FileFacts)) and ``runs-*`` (run key ->
``RunRecord``). Each file's facts are pickled on their own, once: by the worker that extracted
them, which hands them over as bytes; the cache keeps those bytes and writes them as they are,
and unpickles an entry only when a run asks for it.
The key of both is the sessionlint version, ``CACHE_FORMAT``, the Python implementation, the
analysis settings (``analysis_digest``) and a digest of sessionlint's own code; files that cannot
be read (corrupt, truncated, of another shape) are ignored and written again.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass, fields

from sessionlint import __version__
from sessionlint.config import Settings
from sessionlint.model import Diagnostic, FileFacts
from sessionlint.sources import collector_paused

# rule_data key marking facts of a file that could not be read: never cached, since
# making a file readable (chmod) does not change the mtime and size the cache checks.
UNREADABLE = "unreadable"


def _code_digest() -> str:
    """Changes whenever sessionlint's own code does, so facts from other code are never reused."""
    package = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    for directory, _dirs, files in os.walk(package):
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(directory, name))
                stamps.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(stamps)).encode()).hexdigest()[:12]


# Settings fields that never change what one file's facts are (they filter, find or name files
# afterwards). Every other field, present or future, is part of the cache key: a new option that
# affects analysis cannot silently reuse stale facts.
NOT_ANALYSIS_SETTINGS = frozenset(
    {
        "select", "ignore", "extend_select", "per_file_ignores", "exclude", "extend_exclude", "root", "config_file",
        "rootdir", "confcutdir", "pythonpath",  # bound the cross-file walks, recomputed every run
    }
)  # fmt: skip


def analysis_digest(settings: Settings) -> str:
    """The cache key part of ``settings``: every compared field except ``NOT_ANALYSIS_SETTINGS``."""
    relevant = tuple(
        (f.name, getattr(settings, f.name))
        for f in fields(settings)
        if f.compare and f.name not in NOT_ANALYSIS_SETTINGS and f.metadata.get("analysis", True)
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


def dumps(facts: FileFacts) -> bytes | None:
    """One file's facts pickled for the cache; None when they cannot be (the file is not cached)."""
    try:
        return pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None


def loads(data: bytes) -> object:
    """``dumps`` undone; None for bytes that cannot be read. The collector is paused meanwhile:
    unpickling creates many objects and no cycles."""
    with collector_paused():
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - corrupt, another version's: a miss
            return None


# Bumped whenever what the cache files hold changes shape, so older caches are rebuilt, never misread.
CACHE_FORMAT = 3
# Whole-run results kept per cache (one per set of paths and settings linted; pre-commit passes
# changing file lists): the oldest go first.
RUNS_KEPT = 8


def _file_stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_mtime_ns, st.st_size


def _dir_stamp(path: str) -> tuple[int, int] | None:
    """What changes when a directory's entries do (created, removed, renamed) or it is replaced or
    its permissions change: the inode and the status-change time (set by every such change)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_ino, st.st_ctime_ns


@dataclass(frozen=True)
class RunRecord:
    """One run's result and everything it depends on in the file system, as plain tuples.

    ``files``: (path, (mtime_ns, size) or None) of every file whose facts were used; ``dirs``:
    (directory, ``_dir_stamp``) of every directory whose entries any answer depended on (the
    walks, the conftest chains, the module search). While all of them are as recorded, the run,
    whose key holds the settings, paths and files linted, would find exactly what it found.
    """

    files: tuple[tuple[str, tuple[int, int] | None], ...]
    dirs: tuple[tuple[str, tuple[int, int] | None], ...]
    diagnostics: tuple[Diagnostic, ...]
    linted: int

    def valid(self) -> bool:
        return all(_file_stamp(p) == s for p, s in self.files) and all(_dir_stamp(d) == s for d, s in self.dirs)


class Cache:
    """Per-file facts keyed by path, validated by (mtime, size), sessionlint version and settings;
    and whole-run results (``RunRecord``) keyed by everything a run's result depends on.

    Each is one pickle file, read on first use: a run whose whole result is reused never reads
    the facts. Without a directory the cache lives in memory only (the flake8 plugin keeps one
    per process, so each conftest.py is read once per run) and keeps no whole-run results.
    A cache file that cannot be read (corrupt, another version's) is ignored and rebuilt.
    """

    def __init__(self, directory: str | None, settings: Settings) -> None:
        self.directory = directory
        tag = sys.implementation.cache_tag or "python"
        self.name = f"facts-{__version__}-{CACHE_FORMAT}-{tag}-{analysis_digest(settings)}-{_code_digest()}.pickle"
        self.runs_name = "runs-" + self.name[len("facts-") :]
        self._entries: dict[str, tuple[int, int, bytes]] | None = None
        # facts unpickled from an entry or put by this process, with the stamp they are valid for
        self._facts: dict[str, tuple[int, int, FileFacts]] = {}
        self._runs: dict[str, RunRecord] | None = None
        self.dirty = False
        self.runs_dirty = False
        # set by a process that lives for one run (the CLI): what is loaded stays to the end, so it is
        # moved out of the collector's sight (``gc.freeze``) instead of being traversed again and again
        self.freeze = False

    def _load(self, name: str) -> dict:
        if not self.directory:
            return {}
        with collector_paused():  # unpickling creates many objects and no cycles
            try:
                with open(os.path.join(self.directory, name), "rb") as f:
                    loaded = pickle.load(f)
            except Exception:  # noqa: BLE001 - corrupt, truncated, another version's: rebuilt
                return {}
            finally:
                if self.freeze:
                    gc.freeze()
        return loaded if isinstance(loaded, dict) else {}

    @property
    def entries(self) -> dict[str, tuple[int, int, bytes]]:
        if self._entries is None:
            self._entries = self._load(self.name)
        return self._entries

    @property
    def runs(self) -> dict[str, RunRecord]:
        if self._runs is None:
            self._runs = self._load(self.runs_name)
        return self._runs

    @staticmethod
    def stamp(path: str) -> tuple[int, int] | None:
        return _file_stamp(path)

    def get(self, path: str) -> FileFacts | None:
        held = self._facts.get(path)
        entry = self.entries.get(path) if held is None else None
        if held is None and (not isinstance(entry, tuple) or len(entry) != 3 or not isinstance(entry[2], bytes)):
            return None
        stamp = self.stamp(path)
        if held is not None:
            return held[2] if (held[0], held[1]) == stamp else None
        assert entry is not None
        if stamp is None or (entry[0], entry[1]) != stamp:
            return None
        facts = loads(entry[2])
        if not isinstance(facts, FileFacts):
            return None
        self._facts[path] = (entry[0], entry[1], facts)
        return facts

    def put(self, path: str, facts: FileFacts, pickled: bytes | None = None) -> None:
        """Cache ``facts``; ``pickled``: the same facts already pickled (``dumps``), by a worker."""
        if facts.internal_error or facts.rule_data.get(UNREADABLE):
            return
        stamp = self.stamp(path)
        if stamp is None:
            return
        self._facts[path] = (stamp[0], stamp[1], facts)
        if not self.directory:
            return  # in memory only: nothing is written
        if pickled is None:
            pickled = dumps(facts)
            if pickled is None:
                return
        self.entries[path] = (stamp[0], stamp[1], pickled)
        self.dirty = True

    def run(self, key: str) -> RunRecord | None:
        """The recorded result of the run ``key``, if nothing it depends on has changed since."""
        if not self.directory:
            return None
        record = self.runs.get(key)
        if not isinstance(record, RunRecord):
            return None
        try:
            return record if record.valid() else None
        except Exception:  # noqa: BLE001 - a record of another shape: not reused
            return None

    def put_run(self, key: str, record: RunRecord) -> None:
        if not self.directory:
            return
        runs = self.runs
        runs.pop(key, None)
        runs[key] = record  # the newest last
        while len(runs) > RUNS_KEPT:
            del runs[next(iter(runs))]
        self.runs_dirty = True

    def save(self) -> None:
        if not self.directory:
            return
        if self.dirty and self._write(self.name, self._entries):
            self.dirty = False
        if self.runs_dirty and self._write(self.runs_name, self._runs):
            self.runs_dirty = False

    def _write(self, name: str, data: object) -> bool:
        assert self.directory
        try:
            os.makedirs(self.directory, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w") as f:
                    f.write("# created by sessionlint\n*\n")
            tmp = os.path.join(self.directory, f".{name}.{os.getpid()}.tmp")
            payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            with open(tmp, "wb") as f:
                f.write(payload)
            os.replace(tmp, os.path.join(self.directory, name))
            return True
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return False  # a cache that cannot be written (read-only tree, unpicklable facts) only costs time
