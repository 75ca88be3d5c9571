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
``docs/tox.ini`` with ``[pytest]``.

The options sessionlint takes from a pytest configuration file are read here
too, from the one file pytest takes in a directory (``config_file``):
``python_files``/``python_classes``/``python_functions`` (``list_option``),
``--confcutdir`` in ``addopts`` and ``pythonpath``. Where sessionlint's own configuration lives (the nearest
``[tool.sessionlint]``) is a separate question, answered by ``config``.
"""

from __future__ import annotations

import configparser
import functools
import os
import shlex
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


# options of a pytest configuration file ----------------------------------------------------------
def list_option(root: str, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list option (``python_files``, ``python_classes``, ``python_functions``) from the pytest
    configuration file in ``root`` (the one pytest takes: ``rootdir.config_file``); ``default``
    when there is none or it does not set the option."""
    from sessionlint.config import ConfigError

    path = config_file(root)
    if path is None:
        return default
    value = ini_options(path).get(key)
    if value is None:
        return default
    if isinstance(value, str):
        return tuple(value.split()) or default
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value) or default
    table = "pytest" if os.path.basename(path).endswith("pytest.toml") else "tool.pytest.ini_options"
    raise ConfigError(f"{path}: {table}.{key} must be a string or a list of strings")


def ini_options(path: str) -> dict:
    """The options of a pytest configuration file: the ``[pytest]``/``[tool:pytest]`` section of an
    ini file, ``[tool.pytest.ini_options]`` or ``[tool.pytest]`` of a pyproject.toml, ``[pytest]`` of
    a pytest.toml. Values are strings, or (TOML) whatever the file holds."""
    from sessionlint.config import _read_toml  # raises ConfigError: a broken file is reported

    name = os.path.basename(path)
    if name.endswith(".toml"):
        data = _read_toml(path)
        if name.endswith("pytest.toml"):
            table = data.get("pytest")
        else:
            tool = data.get("tool")
            table = tool.get("pytest") if isinstance(tool, dict) else None
            if isinstance(table, dict) and isinstance(table.get("ini_options"), dict):
                table = table["ini_options"]
        return table if isinstance(table, dict) else {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return {}
    section = "tool:pytest" if name == "setup.cfg" else "pytest"
    return dict(parser.items(section)) if parser.has_section(section) else {}


def _addopts(options: dict) -> list[str]:
    value = options.get("addopts")
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if not isinstance(value, str):
        return []
    try:
        return shlex.split(value)
    except ValueError:  # unbalanced quotes: pytest fails on them, sessionlint reads nothing
        return []


def confcutdir(rootdir: str, path: str) -> str:
    """``--confcutdir`` from the ``addopts`` of ``path`` (relative to ``rootdir``, where pytest is run),
    when it lies inside ``rootdir``; "" otherwise (pytest's default: the ini file's directory)."""
    args = _addopts(ini_options(path))
    value = None
    for i, arg in enumerate(args):
        if arg == "--confcutdir" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--confcutdir="):
            value = arg.split("=", 1)[1]
    if not value:
        return ""
    found = os.path.normpath(os.path.join(rootdir, value))  # as pytest: no ~ or $VAR expansion
    return found if is_within(found, rootdir) and found != rootdir else ""


def pythonpath(rootdir: str, path: str) -> tuple[str, ...]:
    """pytest's ``pythonpath`` option (paths relative to the configuration file's directory, put on
    ``sys.path``): the existing directories inside ``rootdir``."""
    value = ini_options(path).get("pythonpath")
    if isinstance(value, str):
        entries = value.split()
    elif isinstance(value, list):
        entries = [v for v in value if isinstance(v, str)]
    else:
        return ()
    found: list[str] = []
    for entry in entries:
        directory = os.path.normpath(os.path.join(rootdir, entry))
        if is_within(directory, rootdir) and os.path.isdir(directory) and directory not in found:
            found.append(directory)
    return tuple(found)
