"""Which files to lint: those pytest would collect, every conftest.py, explicit files.

Directories are walked the way pytest walks them: symbolic links to
directories are followed (pytest collects through them), but only into
trees not walked already: a link to a directory inside the tree adds
nothing (its files are found under their own paths) and a link back up
(``a/loop -> ..``) would loop, so neither is entered. A file reached twice
(given twice, or through a link) is linted once, under the first path it
was reached by.

A directory that cannot be read (permission denied) is not skipped in
silence: ``discover`` returns it among the files, and the engine reports it
as SLK001, as it reports an unreadable file.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator

from sessionlint.config import Settings


class DiscoveryError(Exception):
    """A path argument that does not exist or cannot be read."""


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


def walk(
    directory: str,
    settings: Settings,
    unreadable: list[str] | None = None,
    settings_for: Callable[[str], Settings] | None = None,
    enter: Callable[[str], bool] | None = None,
    visited: list[str] | None = None,
) -> Iterator[str]:
    """Test modules and conftest.py files below ``directory``, sorted.

    Linked directories are followed once each (no loops); directories that
    cannot be listed are appended to ``unreadable`` when it is given. With
    ``settings_for`` (hierarchical configuration), the entries of each
    directory are excluded or collected by the settings governing it. With
    ``enter``, a sub-directory it says no to is not walked. ``visited``, when
    given, receives every directory whose entries the result depends on.
    """
    for path, _real_path in _walk(directory, settings, unreadable, settings_for, enter, visited):
        yield path


def _walk(
    directory: str,
    settings: Settings,
    unreadable: list[str] | None,
    settings_for: Callable[[str], Settings] | None,
    enter: Callable[[str], bool] | None,
    visited: list[str] | None,
) -> Iterator[tuple[str, str]]:
    """``walk``, each file with its real path: known from its directory's (one ``realpath`` per
    walk and per followed link, not one per file)."""
    top = _real(directory)
    seen = {top}
    stack = [(directory, top)]
    while stack:
        current, real_current = stack.pop()
        if visited is not None:
            visited.append(current)
        if settings_for is not None:
            settings = settings_for(current)
        try:
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed while walking, or a link that stopped pointing at a directory
        except OSError:
            if unreadable is not None:
                unreadable.append(current)
            continue
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not settings.excluded(entry.path):
                        subdirs.append((entry.path, os.path.join(real_current, entry.name)))
                elif entry.is_symlink() and entry.is_dir():
                    if settings.excluded(entry.path):
                        continue
                    real = _real(entry.path)
                    if not _overlaps(real, seen):
                        seen.add(real)
                        subdirs.append((entry.path, real))
                elif entry.is_file() and settings.is_test_file(entry.path) and not settings.excluded(entry.path):
                    yield entry.path, _real(entry.path) if entry.is_symlink() else os.path.join(real_current, entry.name)
            except OSError:
                continue  # a broken or looping link, a file gone meanwhile
        if enter is not None:
            subdirs = [d for d in subdirs if enter(d[0])]
        stack.extend(reversed(subdirs))


def _overlaps(real: str, seen: set[str]) -> bool:
    """Whether a linked directory is walked already: it lies inside a tree being walked (its
    files are found under their own paths), or holds one (a link back up: a loop)."""
    inner = os.path.join(real, "")
    return any(real == s or real.startswith(os.path.join(s, "")) or s.startswith(inner) for s in seen)


def discover(
    paths: list[str], settings: Settings, settings_for: Callable[[str], Settings] | None = None
) -> list[str]:
    """Absolute paths to lint; explicit files are linted whatever their names.

    Raises DiscoveryError for a path that does not exist. Unreadable
    directories are returned too (the engine reports them as SLK001).
    """
    found: dict[str, None] = {}
    real_seen: set[str] = set()

    def add(path: str, real: str | None = None) -> None:
        if real is None:
            real = _real(path)
        if path in found or real in real_seen:
            return
        real_seen.add(real)
        found[path] = None

    for path in paths:
        if not os.path.lexists(path):
            raise DiscoveryError(f"{path}: no such file or directory")
        absolute = os.path.abspath(path)
        if os.path.isdir(absolute):
            unreadable: list[str] = []
            for item, real in _walk(absolute, settings, unreadable, settings_for, None, None):
                add(item, real)
            for item in unreadable:
                add(item)
        elif absolute.endswith((".py", ".pyi")) or os.path.isfile(absolute):
            add(absolute)
        else:
            raise DiscoveryError(f"{path}: not a file or directory")
    return list(found)
