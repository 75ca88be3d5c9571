"""The project root, determined the way pytest determines ``rootdir``.

One implementation for every face (CLI, flake8, pre-commit, the guard's
static verdicts). pytest's rules (``_pytest/config/findpaths.py``):

1. the common ancestor of the path arguments (files count by their directory);
2. the first directory, from each argument upward, holding a pytest
   configuration file: ``pytest.toml``, ``.pytest.toml``, ``pytest.ini``,
   ``.pytest.ini``, ``pyproject.toml`` with ``[tool.pytest.ini_options]`` (or
   pytest 9's ``[tool.pytest]``), ``tox.ini`` with ``[pytest]``, ``setup.cfg``
   with ``[tool:pytest]``;
   failing that, the first ``pyproject.toml`` met on the way, even without a
   pytest table (pytest >= 8.1);
3. otherwise the first directory from the common ancestor upward holding a
   ``setup.py``;
4. otherwise the common ancestor of the invocation directory and the
   arguments' ancestor, unless that is the file-system root: then the
   arguments' common ancestor itself.

sessionlint never discovers or reads files for cross-file analysis outside
this directory. Below it, a directory holding a pytest configuration file of
its own is the rootdir of the tests under it (``config.Resolver``), as when
pytest is run from that directory: a monorepo's ``packages/x/pytest.ini``, a
``docs/tox.ini`` with ``[pytest]``. Where sessionlint's own configuration lives (the nearest
``[tool.sessionlint]``) is a separate question, answered by ``config``.
"""

from __future__ import annotations

import configparser
import functools
import os
import stat
import tomllib
from typing import Iterable

INI_FILES = ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
_INI_SECTIONS = {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}


def _is_pytest_config(path: str) -> bool:
    """Whether ``path`` is a pytest configuration file (as pytest decides); memoized per version of
    the file (modification time and size), so a long-lived process sees edits."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(st.st_mode) and _is_pytest_config_version(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=1024)
def _is_pytest_config_version(path: str, _mtime: int, _size: int) -> bool:
    name = os.path.basename(path)
    if name in ("pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml"):
        return True  # even empty: pytest takes it
    if name == "pyproject.toml":
        try:
            with open(path, "rb") as f:
                tool = tomllib.load(f).get("tool")
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return False
        # [tool.pytest.ini_options] (even empty), or pytest 9's native [tool.pytest] with a key
        return isinstance(tool, dict) and isinstance(tool.get("pytest"), dict) and bool(tool["pytest"])
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return False
    return parser.has_section(_INI_SECTIONS[name])


_is_pytest_config.cache_clear = _is_pytest_config_version.cache_clear  # type: ignore[attr-defined]


def _directory(path: str) -> str:
    absolute = os.path.abspath(path)
    return absolute if os.path.isdir(absolute) else os.path.dirname(absolute)


def _upward(directory: str) -> Iterable[str]:
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def common_ancestor(paths: Iterable[str], default: str) -> str:
    """The deepest directory holding every existing path (a file counts by its directory)."""
    existing = [os.path.abspath(p) for p in paths if os.path.exists(p)]
    if not existing:
        return os.path.abspath(default)
    ancestor = os.path.commonpath(existing)
    return ancestor if os.path.isdir(ancestor) else os.path.dirname(ancestor)


def _locate_config(directories: Iterable[str]) -> str | None:
    fallback = None
    for start in directories:
        for directory in _upward(start):
            for name in INI_FILES:
                candidate = os.path.join(directory, name)
                if _is_pytest_config(candidate):
                    return directory
                if name == "pyproject.toml" and fallback is None and os.path.isfile(candidate):
                    fallback = directory
    return fallback


def find_rootdir(paths: Iterable[str], invocation_dir: str | None = None) -> str:
    """pytest's rootdir for the path arguments ``paths`` run from ``invocation_dir`` (default: cwd)."""
    invocation = os.path.abspath(invocation_dir or os.getcwd())
    arguments = [p for p in paths if p and p != "-"]
    ancestor = common_ancestor(arguments, invocation)
    directories = [_directory(p) for p in arguments if os.path.exists(p)] or [ancestor]
    found = _locate_config(directories)
    if found is not None:
        return found
    for directory in _upward(ancestor):
        if os.path.isfile(os.path.join(directory, "setup.py")):
            return directory
    root = os.path.commonpath([invocation, ancestor])
    return ancestor if os.path.dirname(root) == root else root


def config_file(directory: str) -> str | None:
    """The pytest configuration file in ``directory`` itself, the one pytest would take, or None."""
    for name in INI_FILES:
        candidate = os.path.join(directory, name)
        if _is_pytest_config(candidate):
            return candidate
    return None


def is_within(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or lies below it."""
    return path == root or path.startswith(os.path.join(root, ""))
