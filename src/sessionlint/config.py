"""Configuration: ``[tool.sessionlint]`` in pyproject.toml, pytest's ini, CLI overrides."""

from __future__ import annotations

import configparser
import fnmatch
import hashlib
import os
import tomllib
from dataclasses import dataclass, field, replace

DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".env", "env", "__pycache__", "node_modules",
    "build", "dist", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".sessionlint_cache", "site-packages", "__pypackages__", ".direnv",
)  # fmt: skip


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("SLK",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    immutable_fixtures: tuple[str, ...] = ()
    extra_mutable_types: tuple[str, ...] = ()
    extra_mutating_functions: tuple[str, ...] = ()
    extra_resources: tuple[tuple[str, str], ...] = ()  # constructor -> release method
    extra_global_targets: tuple[str, ...] = ()
    root: str = ""
    config_file: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def enabled(self, code: str) -> bool:
        selected = self.select + self.extend_select
        best_select = max((len(p) for p in selected if code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return best_select >= 0 and best_select > best_ignore

    def ignored_in(self, path: str, code: str) -> bool:
        rel = os.path.relpath(path, self.root) if self.root else path
        rel = rel.replace(os.sep, "/")
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
                if any(code.startswith(c) for c in codes):
                    return True
        return False

    def excluded(self, path: str) -> bool:
        name = os.path.basename(path)
        rel = os.path.relpath(path, self.root).replace(os.sep, "/") if self.root else path
        for pattern in self.exclude + self.extend_exclude:
            if fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*"):
                return True
        return False

    def is_test_file(self, path: str) -> bool:
        name = os.path.basename(path)
        return name == "conftest.py" or any(fnmatch.fnmatch(name, p) for p in self.python_files)

    def digest(self) -> str:
        """What the per-file analysis depends on, for the cache key."""
        relevant = (
            self.immutable_fixtures, self.extra_mutable_types, self.extra_mutating_functions,
            self.extra_resources, self.extra_global_targets,
        )  # fmt: skip
        return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


# keys of [tool.sessionlint], with the type each must have
_LIST_KEYS = {
    "select", "ignore", "extend-select", "exclude", "extend-exclude", "immutable-fixtures",
    "extra-mutable-types", "extra-mutating-functions", "extra-global-targets",
}  # fmt: skip
_TABLE_KEYS = {"per-file-ignores", "extra-resources"}
_OTHER_KEYS = {"cache-dir", "jobs"}


def find_root(start: str) -> str:
    directory = os.path.abspath(start)
    if os.path.isfile(directory):
        directory = os.path.dirname(directory)
    current = directory
    while True:
        for marker in ("pyproject.toml", "pytest.ini", "tox.ini", "setup.cfg", ".git"):
            if os.path.exists(os.path.join(current, marker)):
                return current
        parent = os.path.dirname(current)
        if parent == current:
            return directory
        current = parent


def load(root: str, config_file: str | None = None, isolated: bool = False) -> tuple[Settings, dict]:
    """Settings for a project rooted at ``root``, plus the raw extra keys (cache-dir, jobs)."""
    settings = Settings(root=root)
    extra: dict = {}
    if isolated:
        return settings, extra
    settings = replace(settings, python_files=_python_files(root))
    path = config_file or os.path.join(root, "pyproject.toml")
    if not os.path.isfile(path):
        if config_file:
            raise ConfigError(f"config file not found: {config_file}")
        return settings, extra
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    table = data.get("tool", {}).get("sessionlint")
    if table is None and config_file and os.path.basename(path) != "pyproject.toml":
        table = data  # a dedicated sessionlint.toml holds the options at top level
    if table is None:
        return settings, extra
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.sessionlint] must be a table")
    return _apply(settings, table, path, extra), extra


def _apply(settings: Settings, table: dict, path: str, extra: dict) -> Settings:
    changes: dict = {}
    warnings: list[str] = []
    for key, value in table.items():
        where = f"{path}: tool.sessionlint.{key}"
        if key in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where} must be a list of strings, got {type(value).__name__}")
            changes[key.replace("-", "_")] = tuple(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict) or not all(
                isinstance(v, list) and all(isinstance(c, str) for c in v) for v in value.values()
            ):
                raise ConfigError(f"{where} must be a table of glob = [codes]")
            changes["per_file_ignores"] = tuple((k, tuple(v)) for k, v in value.items())
        elif key == "extra-resources":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f"{where} must be a table of constructor = \"release method\"")
            changes["extra_resources"] = tuple(value.items())
        elif key == "cache-dir":
            if not isinstance(value, str):
                raise ConfigError(f"{where} must be a string")
            extra["cache_dir"] = value
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where} must be a positive integer")
            extra["jobs"] = value
        else:
            warnings.append(f"{path}: unknown key tool.sessionlint.{key} (ignored)")
    for code_key in ("select", "ignore", "extend_select"):
        for code in changes.get(code_key, ()):
            if not code.isalnum():
                raise ConfigError(f"{path}: tool.sessionlint.{code_key.replace('_', '-')}: bad code {code!r}")
    return replace(settings, config_file=path, warnings=tuple(warnings), **changes)


def _python_files(root: str) -> tuple[str, ...]:
    """pytest's ``python_files`` from the project's pytest configuration."""
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", None), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = os.path.join(root, name)
        if not os.path.isfile(path):
            continue
        if section is None:
            try:
                with open(path, "rb") as f:
                    data = tomllib.load(f)
            except (OSError, tomllib.TOMLDecodeError):
                continue
            tool = data.get("tool", {})
            options = tool.get("pytest", {}).get("ini_options") or tool.get("pytest", {})
            value = options.get("python_files") if isinstance(options, dict) else None
            if value is None:
                continue
            patterns = value.split() if isinstance(value, str) else [str(v) for v in value]
            return tuple(patterns) or DEFAULT_PYTHON_FILES
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError, OSError):
            continue
        if parser.has_section(section):
            value = parser.get(section, "python_files", fallback=None)
            if value:
                return tuple(value.split())
            if name == "pytest.ini":
                return DEFAULT_PYTHON_FILES
    return DEFAULT_PYTHON_FILES

