"""Which files to lint: those pytest would collect, every conftest.py, explicit files."""

from __future__ import annotations

import os
from typing import Iterator

from sessionlint.config import Settings


class DiscoveryError(Exception):
    """A path argument that does not exist or cannot be read."""


def walk(directory: str, settings: Settings) -> Iterator[str]:
    """Test modules and conftest.py files below ``directory``, sorted, symlinks not followed."""
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue  # unreadable directory: skipped, as pytest would fail to collect it anyway
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not settings.excluded(entry.path):
                        subdirs.append(entry.path)
                elif entry.is_file() and settings.is_test_file(entry.path) and not settings.excluded(entry.path):
                    yield entry.path
            except OSError:
                continue
        stack.extend(reversed(subdirs))


def discover(paths: list[str], settings: Settings) -> list[str]:
    """Absolute paths to lint; explicit files are linted whatever their names."""
    found: dict[str, None] = {}
    for path in paths:
        if not os.path.lexists(path):
            raise DiscoveryError(f"{path}: no such file or directory")
        absolute = os.path.abspath(path)
        if os.path.isdir(absolute):
            for item in walk(absolute, settings):
                found.setdefault(item, None)
        elif absolute.endswith((".py", ".pyi")) or os.path.isfile(absolute):
            found.setdefault(absolute, None)
    return list(found)
