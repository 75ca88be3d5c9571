"""Where an imported name leads: the module search of a test run, bounded by pytest's rootdir.

One ``ModuleFinder`` per run serves the index (``Project.find_module``) and
extraction, which uses it to tell the project's own modules from the
libraries a test calls: only calls into the project are recorded for the
code_state rules. What extraction assumed is kept with the file's facts
(``FileFacts.assumed_absent``) and checked again when cached facts are
reused, so adding a package to the project re-reads the tests that import it.
"""

from __future__ import annotations

import os
from typing import Iterable

from sessionlint.rootdir import is_within


class ModuleFinder:
    def __init__(self, root: str | None, pythonpath: Iterable[str] = ()) -> None:
        self.root = root
        # pytest's ``pythonpath`` (inside the root): searched after the directories above a file
        self.pythonpath = tuple(p for p in pythonpath if root and is_within(p, root))
        self.key = (root, self.pythonpath)  # what a search depends on, besides the files
        self._modules: dict[tuple[str, int, str], str | None] = {}
        self._bases: dict[str, list[str]] = {}
        self._files: dict[str, bool] = {}
        self._entries: dict[str, frozenset[str]] = {}
        self._leads: dict[tuple[str, str], bool] = {}
        self._union: dict[str, frozenset[str]] = {}

    def is_root(self, directory: str) -> bool:
        """Whether the upward walks (conftests, module search) stop at ``directory``: the project
        root, or the directory of a file outside it (a file is never read above its own level)."""
        return self.root is None or directory == self.root or not is_within(directory, self.root)

    def find(self, module: str, from_path: str, level: int = 0) -> str | None:
        """The file a module name refers to, searched the way a test run would find it: the
        importing file's directory and each parent up to the root (and their ``src/``)."""
        directory = os.path.dirname(from_path)
        key = (module, level, directory)
        if key not in self._modules:
            self._modules[key] = self._find(module, directory, level)
        return self._modules[key]

    def _find(self, module: str, directory: str, level: int) -> str | None:
        parts = module.split(".") if module else []
        if level:
            base = directory
            for _ in range(level - 1):
                base = os.path.dirname(base)
            bases = [base]
        else:
            bases = self._search_bases(directory)
        top, top_py = (parts[0], f"{parts[0]}.py") if parts and not level else ("", "")
        for base in bases:
            if top and top not in (listing := self._listing(base)) and top_py not in listing:
                continue  # a directory listing read once answers most lookups without a stat
            stem = os.path.join(base, *parts) if parts else base
            for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
                if self.isfile(candidate):
                    return candidate
        return None

    def isfile(self, path: str) -> bool:
        """``os.path.isfile``, asked once per run: every question the run puts to the file system
        goes through this finder, so ``directories`` can tell what the answers depend on."""
        found = self._files.get(path)
        if found is None:
            found = self._files[path] = os.path.isfile(path)
        return found

    def directories(self) -> set[str]:
        """The directories whose entries the answers so far depend on (those listed, and those
        holding the files asked about): unless one of them changes, every answer stays."""
        return set(self._entries) | {os.path.dirname(path) for path in self._files}

    def _search_bases(self, directory: str) -> list[str]:
        start = directory
        if start in self._bases:
            return self._bases[start]
        bases: list[str] = []
        while True:
            bases.append(directory)
            if "src" in self._listing(directory) and os.path.isdir(os.path.join(directory, "src")):
                bases.append(os.path.join(directory, "src"))
            parent = os.path.dirname(directory)
            if self.is_root(directory) or parent == directory:
                break
            directory = parent
        bases += [p for p in self.pythonpath if p not in bases]
        self._bases[start] = bases
        return bases

    def leads_to_project(self, qualified: str, from_path: str) -> bool:
        """Whether an imported name (``pkg.mod.NAME``, ``.helpers.NAME``) is the project's own: a
        relative import, or one whose module (or a package above it) is a file of the project."""
        return self._leads_from(qualified, os.path.dirname(from_path), from_path)

    def _leads_from(self, qualified: str, directory: str, from_path: str) -> bool:
        if qualified.startswith("."):
            return True
        key = (qualified, directory)
        found = self._leads.get(key)
        if found is None:
            parts = qualified.split(".")
            top, top_py = parts[0], f"{parts[0]}.py"
            # every candidate lies below a search base holding the top-level name: when none does
            # (numpy, requests: most names), no module is looked for
            visible = self._visible(directory)
            found = (not top or top in visible or top_py in visible) and any(
                self.find(".".join(parts[:cut]), from_path) is not None for cut in range(len(parts), 0, -1)
            )
            self._leads[key] = found
        return found

    def _visible(self, directory: str) -> frozenset[str]:
        """The entries of all of ``directory``'s search bases together, computed once per directory."""
        found = self._union.get(directory)
        if found is None:
            found = self._union[directory] = frozenset().union(*map(self._listing, self._search_bases(directory)))
        return found

    def _listing(self, directory: str) -> frozenset[str]:
        found = self._entries.get(directory)
        if found is None:
            try:
                found = frozenset(os.listdir(directory))
            except OSError:
                found = frozenset()
            self._entries[directory] = found
        return found

    def still_absent(self, names: tuple[str, ...], from_path: str) -> bool:
        """Whether none of ``names`` leads to the project (what cached facts assumed)."""
        directory = os.path.dirname(from_path)
        return not any(self._leads_from(name, directory, from_path) for name in names)
