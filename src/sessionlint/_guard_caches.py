"""The guard's view of the project's memoized functions (SLK601, confirmed at run time).

Every ``functools.lru_cache``/``cache`` function defined at the top of a
first-party module is watched through its ``cache_info()``: counters only,
never the cached values. A test *left a cache holding an entry computed under
a patch* when, between the start of the test and the end of its call phase,
the cache missed (it computed and stored entries), at the end of the call a
patch of ``os.environ`` was in effect (the environment differs from what it is
once the test's fixtures are torn down), and after teardown the cache still
holds entries and was not cleared (its miss count did not fall back).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

#: (hits, misses, currsize) of one cache
Counts = tuple[int, int, int]


class MemoCaches:
    """The first-party memoized functions loaded so far, found module by module."""

    def __init__(self, first_party: Any, rootpath: Path) -> None:
        self.first_party = first_party
        self.root = str(rootpath)
        self._scanned: set[str] = set()
        self._modules_seen = 0
        self.functions: dict[str, tuple[Any, str]] = {}  # "pkg.mod.func" -> (function, "path:name")

    def _refresh(self) -> None:
        if len(sys.modules) == self._modules_seen:
            return
        self._modules_seen = len(sys.modules)
        for name, module in list(sys.modules.items()):
            if name in self._scanned:
                continue
            self._scanned.add(name)
            if module is None or not self.first_party.module(name):
                continue
            for value in list(vars(module).values()):
                if getattr(value, "__module__", None) != name or not callable(getattr(value, "cache_info", None)):
                    continue
                if getattr(value, "__wrapped__", None) is None:
                    continue
                key = f"{name}.{getattr(value, '__qualname__', '?')}"
                file = getattr(module, "__file__", None) or ""
                where = os.path.relpath(file, self.root) if file else name
                self.functions[key] = (value, f"{where}:{getattr(value, '__name__', '?')}")

    def capture(self) -> dict[str, Counts]:
        self._refresh()
        counts: dict[str, Counts] = {}
        for key, (function, _where) in self.functions.items():
            try:
                info = function.cache_info()
                counts[key] = (int(info.hits), int(info.misses), int(info.currsize))
            except Exception:  # noqa: BLE001,S112 - a foreign object with a cache_info attribute
                continue
        return counts


def _text(key: object) -> str:
    return key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)


def patched_keys(at_end: dict[Any, Any], after: dict[Any, Any]) -> list[str]:
    """Environment variables whose value at the end of the call differs from after teardown."""
    keys = set(at_end) | set(after)
    changed = (_text(k) for k in keys if at_end.get(k) != after.get(k))
    return sorted(k for k in changed if k != "PYTEST_CURRENT_TEST")  # pytest sets it per phase


def leaked_entries(
    caches: MemoCaches, before: dict[str, Counts], at_end: dict[str, Counts], after: dict[str, Counts],
    patched: list[str],
) -> list[tuple[str, str, str]]:
    """(function key, "path:name" for the static comparison, detail) for each cache that kept
    entries the test computed while ``patched`` variables were patched."""
    if not patched:
        return []
    found = []
    shown = ", ".join(f"os.environ[{k!r}]" for k in patched[:3]) + (" ..." if len(patched) > 3 else "")
    for key, (_h, misses_end, _size) in at_end.items():
        misses_before = before.get(key, (0, 0, 0))[1]
        now = after.get(key)
        if now is None or misses_end <= misses_before or now[1] < misses_end or now[2] == 0:
            continue
        computed = misses_end - misses_before
        where = caches.functions[key][1]
        detail = (
            f"left {key}() caching {computed} result{'s' if computed != 1 else ''} computed while "
            f"{shown} {'was' if len(patched) == 1 else 'were'} patched"
        )
        found.append((key, where, detail))
    return found
