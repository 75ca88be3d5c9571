"""What the runtime guard watches besides fixture values: process state and first-party modules.

Each snapshot is cheap to take (C-speed copies) and cheap to compare when
nothing changed (``==`` on dicts and tuples, identity first); readable
details are built only for the differences.

Rules, chosen so that ordinary test runs raise no false alarm:

- ``os.environ``, ``sys.path``, the working directory: a test's own change is
  a difference between its start and its end that does not bring the value
  back to what it was when the run started (putting back a standing change
  is a repair, not a leak). The working directory is identified by device
  and inode too, so a test that moves into a directory and deletes it is told
  apart from the previous test that did the same.
- ``sys.modules``: a module imported for the first time during a test is
  normal (lazy imports) and not reported. Reported: entries removed and not
  put back, entries replaced by another object, and entries added that the
  import system did not make (not a module, or a module without
  ``__spec__``: a fake planted with ``sys.modules[name] = ...``).
- first-party modules (whose file lies under the rootpath and not in
  site-packages): module attributes and, one level down, the attributes of
  first-party classes and of instances of first-party classes bound at
  module level. Reported: a rebinding whose old value is a plain value
  (number, string, bool, ...), a function or a class, and deletions.
  Rebinding ``None`` to an object (lazy initialisation) and new attributes
  (caches) are not reported.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Any, Final

#: Environment variables pytest itself rewrites around every test phase.
IGNORED_ENVIRON: Final = frozenset({"PYTEST_CURRENT_TEST"})
_INSTALLED: Final = frozenset({"site-packages", "dist-packages"})
_PLAIN: Final = (int, float, complex, str, bytes, bool, enum.Enum)


@dataclasses.dataclass(frozen=True)
class Cwd:
    """The working directory: its path (as far as it can be read) and identity."""

    path: str
    ident: tuple[int, int] | None

    @classmethod
    def capture(cls) -> Cwd:
        try:
            path = os.getcwd()
        except OSError:  # the directory was deleted under us
            try:
                path = os.readlink("/proc/self/cwd")
            except OSError:
                path = "<deleted directory>"
        try:
            stat = os.stat(".")
            ident: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
        except OSError:
            ident = None
        return cls(path, ident)

    def __str__(self) -> str:
        return self.path


@dataclasses.dataclass(frozen=True)
class ProcessState:
    """The process-global state a test can leave behind.

    `environ` maps names to values, either as ``str`` or -- for speed, straight
    from ``os.environ``'s store -- in their encoded form. `modules` is a copy
    of ``sys.modules`` (None when not taken).
    """

    environ: dict[Any, Any]
    path: tuple[str, ...]
    cwd: str | Cwd
    modules: dict[str, Any] | None = None

    @classmethod
    def capture(cls) -> ProcessState:
        return cls(_environ_copy(), tuple(sys.path), Cwd.capture(), dict(sys.modules))


def _environ_copy() -> dict[Any, Any]:
    """``os.environ`` copied without decoding every entry (100x faster)."""
    store = getattr(os.environ, "_data", None)
    return store.copy() if isinstance(store, dict) else dict(os.environ)


#: (kind, detail, key): kind as the guard reports it, key for the static comparison.
Change = tuple[str, str, str]


def process_changes(
    before: ProcessState, after: ProcessState, origin: ProcessState | None = None
) -> list[Change]:
    """Every difference from `before` to `after`, environment first.

    With `origin` (the state when the run started), a difference that puts a
    value back to its original is not a change.
    """
    out: list[Change] = []
    if before.environ != after.environ:
        out += _environ_changes(before.environ, after.environ, origin and origin.environ)
    if before.path != after.path:
        out += _path_changes(before.path, after.path, origin and origin.path)
    if before.cwd != after.cwd and not (origin is not None and after.cwd == origin.cwd):
        out.append(("cwd", f"changed working directory: {before.cwd} -> {after.cwd}", ""))
    if before.modules is not None and after.modules is not None and before.modules != after.modules:
        out += _module_changes(before.modules, after.modules, origin and origin.modules)
    return out


_NOTHING: Final = object()


def _environ_changes(
    before: dict[Any, Any], after: dict[Any, Any], origin: dict[Any, Any] | None
) -> list[Change]:
    out = []
    for key in sorted(before.keys() | after.keys()):
        name = os.fsdecode(key)
        value = after.get(key, _NOTHING)
        if name in IGNORED_ENVIRON or before.get(key, _NOTHING) == value:
            continue
        if origin is not None and origin.get(key, _NOTHING) == value:
            continue  # put back as the run found it
        verb = "set" if key not in before else "removed" if key not in after else "changed"
        out.append(("environ", f"{verb} environment variable {name!r}", name))
    return out


def _path_changes(
    before: tuple[str, ...], after: tuple[str, ...], origin: tuple[str, ...] | None
) -> list[Change]:
    if origin is not None and after == origin:
        return []
    added = Counter(after) - Counter(before)
    removed = Counter(before) - Counter(after)
    out = [("sys.path", f"changed sys.path: added {entry!r}", "") for entry in added.elements()]
    out += [("sys.path", f"changed sys.path: removed {entry!r}", "") for entry in removed.elements()]
    return out or [("sys.path", "changed sys.path: reordered", "")]


def _module_changes(
    before: dict[str, Any], after: dict[str, Any], origin: dict[str, Any] | None
) -> list[Change]:
    out = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name, _NOTHING), after.get(name, _NOTHING)
        if old is new:
            continue
        if origin is not None and origin.get(name, _NOTHING) is new:
            continue  # put back
        if old is _NOTHING:
            if _imported(new):
                continue  # a first import: normal
            detail = f"added {name!r} to sys.modules ({_kind(new)}, not imported)"
        elif new is _NOTHING:
            detail = f"removed {name!r} from sys.modules"
        else:
            detail = f"replaced sys.modules[{name!r}] ({_kind(old)} -> {_kind(new)})"
        out.append(("sys.modules", detail, name))
    return out


def _imported(value: object) -> bool:
    """Whether `value` looks made by the import system (a module with a spec)."""
    return isinstance(value, types.ModuleType) and getattr(value, "__spec__", None) is not None


def _kind(value: object) -> str:
    if isinstance(value, types.ModuleType):
        return "a module" if _imported(value) else "a module without spec"
    return f"a {type(value).__name__}"


# -- first-party modules -----------------------------------------------------------


class FirstParty:
    """Decides which modules and types are the project's own (under the rootpath)."""

    def __init__(self, rootpath: Path) -> None:
        self.root = str(rootpath.resolve())
        self._modules: dict[str, bool] = {}

    def module(self, name: str) -> bool:
        known = self._modules.get(name)
        if known is None:
            module = sys.modules.get(name)
            known = self._modules[name] = self._file_is_ours(getattr(module, "__file__", None))
        return known

    def _file_is_ours(self, file: object) -> bool:
        if not isinstance(file, str):
            return False
        path = os.path.realpath(file)
        if not (path == self.root or path.startswith(self.root + os.sep)):
            return False
        return not _INSTALLED.intersection(Path(path).parts)

    def type(self, cls: type) -> bool:
        return self.module(str(getattr(cls, "__module__", "")))


def _plain(value: object) -> bool:
    return value is None or isinstance(value, _PLAIN) or (
        type(value) is tuple and all(_plain(item) for item in value)  # type: ignore[attr-defined]
    )


class ModuleAttributes:
    """Snapshots of first-party modules' attributes, one level deep."""

    def __init__(self, first_party: FirstParty) -> None:
        self.first_party = first_party
        self.modules: list[tuple[str, types.ModuleType]] = []
        self._seen = -1
        self._below_cache: dict[str, tuple[dict[str, Any], list[tuple[str, object]]]] = {}

    def _refresh(self) -> None:
        if len(sys.modules) == self._seen:
            return
        self._seen = len(sys.modules)
        self.modules = [
            (name, module)
            for name, module in list(sys.modules.items())
            if isinstance(module, types.ModuleType) and self.first_party.module(name)
        ]

    def capture(self) -> dict[str, dict[str, Any]]:
        """``{"pkg.config": {...}, "pkg.config.settings": {...}}``: attribute dicts copied.

        Which module attributes are objects to look below is worked out again
        only when the module's namespace changed (a C-speed comparison).
        """
        self._refresh()
        out: dict[str, dict[str, Any]] = {}
        below_cache = self._below_cache
        for name, module in self.modules:
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict):
                continue
            copy = out[name] = namespace.copy()
            cached = below_cache.get(name)
            if cached is None or cached[0] != copy:
                objects = [
                    (attr, value)
                    for attr, value in copy.items()
                    if self._below(name, value) is not None
                ]
                cached = below_cache[name] = (copy, objects)
            for attr, value in cached[1]:
                below = self._below(name, value)
                if below is not None:
                    out[f"{name}.{attr}"] = below
        return out

    def _below(self, module: str, value: object) -> dict[str, Any] | None:
        """The attributes of a first-party class defined in `module`, or of an instance of one."""
        if isinstance(value, type):
            if value.__module__ != module:
                return None
            return dict(vars(value))
        if isinstance(value, types.ModuleType) or callable(value):
            return None
        if not self.first_party.type(type(value)):
            return None
        try:
            attrs = object.__getattribute__(value, "__dict__")
        except AttributeError:
            return None
        return attrs.copy() if isinstance(attrs, dict) else None


def attribute_changes(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
) -> list[tuple[str, object, object]]:
    """(dotted name, old, new) for each reported rebinding or deletion."""
    if before == after:
        return []
    from sessionlint._fingerprint import render

    out = []
    for owner, old_attrs in before.items():
        new_attrs = after.get(owner)
        if new_attrs is None or new_attrs == old_attrs:
            continue
        for attr, old in old_attrs.items():
            new = new_attrs.get(attr, _NOTHING)
            if new is old or attr.startswith("__"):
                continue
            if old is None or not (_plain(old) or isinstance(old, (types.FunctionType, type))):
                continue  # lazy initialisation, or a container (watched as a fixture value)
            try:
                if type(old) is type(new) and old == new:
                    continue
            except Exception:  # noqa: BLE001 -- a comparison that fails counts as a change
                pass
            shown = "<deleted>" if new is _NOTHING else render(new)
            out.append((f"{owner}.{attr}", render(old), shown))
    return out
