"""Configuration: ``[tool.sessionlint]`` in pyproject.toml (or a ``sessionlint.toml``), pytest's ini.

Configuration is hierarchical, as in ruff: each file is governed by the
nearest configuration file at or above its directory. In one directory
``.sessionlint.toml`` wins over ``sessionlint.toml``, which wins over a
``pyproject.toml`` (that counts only when it has a ``[tool.sessionlint]``
table); the two dedicated files hold the options at their top level, as
ruff's ``ruff.toml``. Settings are not merged across levels: the nearest file
is the whole configuration.

``find_config`` finds the file for a path, ``load`` reads it, ``resolve``
does both, ``Resolver`` memoizes that per directory for a run over many
files (the CLI), and ``settings_for_path`` for the flake8 face, which sees
one file at a time and never reads the configuration itself.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field, replace

# Preview rules: off unless selected by their full code (``--select SLK605``, ``extend-select =
# ["SLK605"]``); a prefix (``SLK``, ``SLK6``) does not take them in. A rule stays here until its
# findings on projects nobody tuned it on are at least 9 in 10 ones a maintainer would accept.
PREVIEW: frozenset[str] = frozenset({"SLK605"})
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
DEFAULT_PYTHON_CLASSES = ("Test",)
DEFAULT_PYTHON_FUNCTIONS = ("test",)
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".env", "env", "__pycache__", "node_modules",
    "build", "dist", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".sessionlint_cache", "site-packages", "__pypackages__", ".direnv",
)  # fmt: skip


class ConfigError(Exception):
    """Configuration that cannot be used; the message names the file and key."""


@functools.lru_cache(maxsize=64)
def _patterns(patterns: tuple[str, ...]):
    """One compiled expression for a tuple of glob patterns (``fnmatch`` semantics): its ``match``."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)).match


def _relative(path: str, root: str) -> str:
    """``os.path.relpath(path, root)``, without its work for the usual case: an absolute path below ``root``."""
    prefix = os.path.join(root, "")
    if path.startswith(prefix) and os.path.isabs(root):
        rest = path[len(prefix) :]
        sep = os.sep
        # already normal (no "..", ".", empty or trailing part), as the walks' paths are
        if rest and ".." not in rest and sep * 2 not in rest and f"{sep}.{sep}" not in rest:
            if rest[0] != sep and rest[-1] != sep and not rest.startswith(f".{sep}") and not rest.endswith(f"{sep}."):
                return rest
    return os.path.relpath(path, root)


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("SLK",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    python_classes: tuple[str, ...] = DEFAULT_PYTHON_CLASSES  # pytest's: prefixes or globs
    python_functions: tuple[str, ...] = DEFAULT_PYTHON_FUNCTIONS
    immutable_fixtures: tuple[str, ...] = ()
    extra_mutable_types: tuple[str, ...] = ()
    extra_mutating_functions: tuple[str, ...] = ()
    extra_resources: tuple[tuple[str, str], ...] = ()  # constructor -> release method
    extra_global_targets: tuple[str, ...] = ()
    root: str = ""
    # pytest's rootdir of the files these settings govern, its --confcutdir and pythonpath (``with_rootdir``);
    # "" when not known (the engine then takes the run's rootdir). They bound the cross-file walks
    # (conftest chain, module search), never one file's facts.
    rootdir: str = ""
    confcutdir: str = ""
    pythonpath: tuple[str, ...] = ()
    config_file: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def enabled(self, code: str) -> bool:
        selected = self.select + self.extend_select
        if code in PREVIEW and code not in selected:
            return False  # a preview rule runs only when selected by its full code
        best_select = max((len(p) for p in selected if code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return best_select >= 0 and best_select > best_ignore

    def ignored_in(self, path: str, code: str) -> bool:
        rel = _relative(path, self.root) if self.root else path
        rel = rel.replace(os.sep, "/")
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
                if any(code.startswith(c) for c in codes):
                    return True
        return False

    def excluded(self, path: str) -> bool:
        """Whether ``path`` itself matches an exclude pattern (by name, or by its path below the root).

        As in ruff, a directory walk prunes excluded entries as it meets them, so a directory
        named on the command line is walked even when it lies in an excluded tree
        (``sessionlint fixtures_samples/example`` with ``fixtures_samples`` excluded);
        ``excluded_path`` also looks at the directories a path lies in.
        """
        matcher = _patterns(self.exclude + self.extend_exclude)
        if matcher is None:
            return False
        if matcher(os.path.basename(path)):
            return True
        return bool(matcher(_relative(path, self.root).replace(os.sep, "/") if self.root else path))

    def excluded_path(self, path: str) -> bool:
        """Whether ``path`` or a directory it lies in (below the root) is excluded: for faces
        handed single files (flake8, pre-commit), where no directory walk skipped them."""
        current = os.path.abspath(path)
        root = os.path.abspath(self.root) if self.root else ""
        while current != root and (not root or current.startswith(os.path.join(root, ""))):
            if self.excluded(current):
                return True
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        return False

    def is_test_file(self, path: str) -> bool:
        name = os.path.basename(path)
        return name == "conftest.py" or any(fnmatch.fnmatch(name, p) for p in self.python_files)

    def digest(self) -> str:
        """What the per-file analysis depends on, for the cache key."""
        relevant = (
            self.immutable_fixtures, self.extra_mutable_types, self.extra_mutating_functions,
            self.extra_resources, self.extra_global_targets, self.python_classes, self.python_functions,
        )  # fmt: skip
        return hashlib.sha256(repr(relevant).encode()).hexdigest()[:16]


# the keys of [tool.sessionlint] -----------------------------------------------------------
_CODE_LIST_KEYS = ("select", "ignore", "extend-select", "extend-ignore")
_GLOB_LIST_KEYS = ("exclude", "extend-exclude")
_NAME_LIST_KEYS = ("extra-mutable-types", "extra-mutating-functions", "extra-global-targets")
KEYS = (
    *_CODE_LIST_KEYS, "per-file-ignores", *_GLOB_LIST_KEYS, "immutable-fixtures", *_NAME_LIST_KEYS,
    "extra-resources", "cache-dir", "jobs",
)  # fmt: skip

_CODE_RE = re.compile(r"[A-Z]+[0-9]*")
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def find_root(start: str) -> str:
    """The project root for ``start`` without a sessionlint configuration: pytest's rootdir."""
    from sessionlint.rootdir import find_rootdir

    return find_rootdir([start])


def _read_toml(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


# a sessionlint table or key ([tool.sessionlint], [tool.sessionlint.per-file-ignores], tool.sessionlint.x =,
# sessionlint.x = under [tool]), as found in a file too broken to parse
_OUR_TABLE = re.compile(r"""^[ \t]*\[?[ \t]*(tool[ \t]*\.[ \t]*)?["']?sessionlint["']?[ \t]*([.=\]]|$)""", re.M)


def _has_table(path: str) -> bool:
    """Whether a pyproject.toml holds ``[tool.sessionlint]``: memoized per version of the file
    (modification time and size), so each is read once however many directories it governs."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return _has_table_version(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=1024)
def _has_table_version(path: str, _mtime: int, _size: int) -> bool:
    """A pyproject.toml that does not parse is another tool's business (a test fixture of a packaging
    library, a template) unless it shows a sessionlint table: then the error is ours to report."""
    try:
        data = _read_toml(path)
    except ConfigError:
        try:
            with open(path, "rb") as f:
                ours = bool(_OUR_TABLE.search(f.read().decode("utf-8", "ignore")))
        except OSError:
            ours = True  # cannot tell: reported as before
        if ours:
            raise
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "sessionlint" in tool


# in one directory, the first of these that exists wins (pyproject.toml only with the table)
CONFIG_FILES = (".sessionlint.toml", "sessionlint.toml", "pyproject.toml")


def config_in(directory: str) -> str | None:
    """The configuration file in ``directory`` itself, or None."""
    for name in CONFIG_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_table(candidate)):
            return candidate
    return None


def _directory_of(start: str) -> str:
    directory = os.path.abspath(start)
    if os.path.isfile(directory) or not os.path.exists(directory):
        directory = os.path.dirname(directory)
    return directory


def find_config(start: str) -> str | None:
    """The configuration file governing ``start`` (a file or directory): the nearest at or above it."""
    current = _directory_of(start)
    while True:
        found = config_in(current)
        if found is not None:
            return found
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def locate(start: str) -> tuple[str, str | None]:
    """(project root, configuration file or None) for a file or directory.

    The configuration is the nearest one at or above ``start`` (``find_config``),
    as ruff finds ``ruff.toml`` or ``[tool.ruff]``; its directory is the root.
    Without one, the root is pytest's rootdir (``sessionlint.rootdir``).
    """
    found = find_config(start)
    if found is not None:
        return os.path.dirname(found), found
    return find_root(_directory_of(start)), None


def resolve(start: str, config_file: str | None = None, isolated: bool = False) -> tuple[Settings, dict]:
    """Settings for linting ``start`` (a file or directory): ``locate`` then ``load``."""
    if isolated and config_file:
        raise ConfigError("--config and --isolated cannot be combined")
    if isolated or config_file:
        return load(find_root(start), config_file, isolated)
    root, found = locate(start)
    settings, extra = load(root, found)
    if found is not None and not settings.config_file:
        settings = replace(settings, config_file=found)
    return settings, extra


class Resolver:
    """The settings governing each directory of one run, memoized per directory and per file.

    ``default_root`` is the root of files no configuration governs (the CLI
    passes pytest's rootdir of its arguments, so that they share one group).
    With ``fixed`` (``--config``, ``--isolated``) every directory gets it.

    With ``rootdirs`` (all but ``--isolated``), each directory's settings also
    carry its pytest rootdir: the nearest directory at or above it, inside
    ``default_root``, holding a pytest configuration file, whose collection
    options and ``--confcutdir`` then apply (``with_rootdir``), as when pytest
    is run from that directory (``_rootdir``).
    """

    def __init__(self, default_root: str, fixed: tuple[Settings, dict] | None = None, rootdirs: bool = True) -> None:
        self.default_root = os.path.abspath(default_root)
        self.fixed = fixed
        self.rootdirs = rootdirs
        self._by_directory: dict[str, tuple[Settings, dict]] = {}
        self._by_file: dict[str | None, tuple[Settings, dict]] = {}
        self._by_key: dict[tuple[str | None, str], tuple[Settings, dict]] = {}
        self._rootdirs: dict[str, str] = {}
        self._configs: dict[str, str | None] = {}

    def __call__(self, directory: str) -> tuple[Settings, dict]:
        directory = os.path.abspath(directory)
        found = self._by_directory.get(directory)
        if found is None:
            path = None if self.fixed is not None else self._config(directory)
            base = self._base(path)
            if self.rootdirs:
                rootdir = self._rootdir(directory)
                key = (path, rootdir)
                if key not in self._by_key:
                    self._by_key[key] = with_rootdir(base[0], rootdir), base[1]
                base = self._by_key[key]
            found = self._by_directory[directory] = base
        return found

    def _config(self, directory: str) -> str | None:
        """``find_config`` of a directory, memoized: each directory's files are looked at once."""
        found = self._configs.get(directory, "")
        if found == "":
            found = config_in(directory)
            parent = os.path.dirname(directory)
            if found is None and parent != directory:
                found = self._config(parent)
            self._configs[directory] = found
        return found

    def _rootdir(self, directory: str) -> str:
        """The nearest directory at or above ``directory`` holding a pytest configuration file, not
        above ``default_root`` (the run's rootdir); ``default_root`` when there is none. A directory
        outside ``default_root`` (``sessionlint sub/test_a.py test_b.py``: pytest's rootdir of the
        arguments is the first one's) gets its own nearest one, so the order of the arguments does
        not matter. Memoized per directory: one look at each directory's files in a run."""
        from sessionlint.rootdir import config_file

        found = self._rootdirs.get(directory)
        if found is None:
            parent = os.path.dirname(directory)
            if directory == self.default_root:
                found = directory
            elif config_file(directory) is not None:
                found = directory
            elif parent == directory:
                found = self.default_root
            else:
                found = self._rootdir(parent)
            self._rootdirs[directory] = found
        return found

    def _base(self, path: str | None) -> tuple[Settings, dict]:
        if self.fixed is not None:
            return self.fixed
        if path not in self._by_file:
            if path is None:  # no configuration: the defaults, with pytest's python_files
                root = self.default_root
                self._by_file[path] = _pytest_settings(Settings(root=root), root), {}
            else:
                self._by_file[path] = load(os.path.dirname(path), path)
        return self._by_file[path]


@functools.lru_cache(maxsize=256)
def _settings_for_directory(directory: str) -> Settings:
    from sessionlint.rootdir import find_rootdir

    return with_rootdir(resolve(directory)[0], find_rootdir([directory]))


def settings_for_path(path: str) -> Settings:
    """The settings that apply to the file at ``path``, memoized per directory.

    For faces that see one file at a time (flake8): the file's pytest rootdir is pytest's for the
    file alone (the nearest pytest configuration file above it), as the CLI finds it. Raises
    ConfigError, like ``load``, when the configuration found cannot be used.
    """
    absolute = os.path.abspath(path)
    directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    return _settings_for_directory(directory)


settings_for_path.cache_clear = _settings_for_directory.cache_clear  # type: ignore[attr-defined]


def load(root: str, config_file: str | None = None, isolated: bool = False) -> tuple[Settings, dict]:
    """Settings for a project rooted at ``root``, plus the raw extra keys (cache-dir, jobs).

    ``config_file`` defaults to ``root/pyproject.toml``; a file not named
    pyproject.toml (``sessionlint.toml``, ``.sessionlint.toml``, ``--config
    FILE``) holds the options at its top level, as ruff's ``ruff.toml``
    (or, for ``--config``, under ``[tool.sessionlint]``).
    """
    settings = Settings(root=root)
    extra: dict = {}
    if isolated:
        return settings, extra
    settings = _pytest_settings(settings, root)
    path = config_file or os.path.join(root, "pyproject.toml")
    if not os.path.isfile(path):
        if config_file:
            raise ConfigError(f"config file not found: {config_file}")
        return settings, extra
    if not config_file and not _has_table(path):
        return settings, extra  # another tool's pyproject.toml (even one that does not parse)
    data = _read_toml(path)
    tool = data.get("tool")
    table = tool.get("sessionlint") if isinstance(tool, dict) else None
    prefix = "tool.sessionlint."
    if table is None and os.path.basename(path) != "pyproject.toml":
        table, prefix = data, ""  # a dedicated sessionlint.toml holds the options at top level
    if table is None:
        return settings, extra
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.sessionlint must be a table")
    return _apply(settings, table, path, extra, prefix), extra


def _type_name(value: object) -> str:
    return {str: "a string", int: "an integer", bool: "a boolean", float: "a number", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)  # fmt: skip


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be an array of strings, got {_type_name(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(f"{where} must be an array of strings, got an item that is {_type_name(item)}")
    return value


def _codes(value: object, where: str, warnings: list[str]) -> tuple[str, ...]:
    codes = []
    for code in _strings(value, where):
        code = code.strip().upper()
        if not _CODE_RE.fullmatch(code):
            raise ConfigError(f"{where}: {code!r} is not a rule code or prefix (like SLK or SLK201)")
        if not matches_a_rule(code):  # a typo (SKL201) must not silently select or ignore nothing
            raise ConfigError(f"{where}: unknown rule selector {code!r} (see `sessionlint rule --all`)")
        codes.append(code)
    return tuple(codes)


def matches_a_rule(prefix: str) -> bool:
    """Whether some registered rule's code starts with ``prefix``."""
    from sessionlint.rules import RULES

    return any(code.startswith(prefix) for code in RULES)


def _apply(settings: Settings, table: dict, path: str, extra: dict, prefix: str = "tool.sessionlint.") -> Settings:
    changes: dict = {}
    warnings: list[str] = []
    for key, value in table.items():
        where = f"{path}: {prefix}{key}"
        attr = key.replace("-", "_")
        if key == "extend-ignore":
            changes["ignore"] = changes.get("ignore", settings.ignore) + _codes(value, where, warnings)
        elif key == "ignore":
            changes["ignore"] = _codes(value, where, warnings) + changes.get("ignore", ())
        elif key in _CODE_LIST_KEYS:
            changes[attr] = _codes(value, where, warnings)
        elif key in _GLOB_LIST_KEYS:
            changes[attr] = tuple(_strings(value, where))
        elif key == "immutable-fixtures":
            for name in _strings(value, where):
                if not _IDENTIFIER_RE.fullmatch(name):
                    raise ConfigError(f"{where}: {name!r} is not a fixture name")
            changes[attr] = tuple(value)
        elif key in _NAME_LIST_KEYS:
            for name in _strings(value, where):
                if not _DOTTED_RE.fullmatch(name):
                    raise ConfigError(f"{where}: {name!r} is not a dotted name (like mypkg.Registry)")
            changes[attr] = tuple(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where} must be a table of glob = [codes], got {_type_name(value)}")
            changes[attr] = tuple(
                (glob, _codes(codes, f"{where}.{glob!r}", warnings)) for glob, codes in value.items()
            )
        elif key == "extra-resources":
            changes[attr] = _resources(value, where)
        elif key == "cache-dir":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where} must be a non-empty string, got {_type_name(value)}")
            extra["cache_dir"] = value
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where} must be a positive integer, got {value!r}")
            extra["jobs"] = value
        else:
            hint = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            warnings.append(f"{path}: unknown key {prefix}{key} (ignored){suggestion}")
    return replace(settings, config_file=path, warnings=tuple(warnings), **changes)


def _resources(value: object, where: str) -> tuple[tuple[str, str], ...]:
    """``{"mylib.connect" = "close", "mylib.make_dir" = "shutil.rmtree"}``.

    A release without a dot is a method called on the resource (``close``,
    also written ``close()`` or ``.close()``); a dotted one is a function the
    resource is passed to (``shutil.rmtree``). Stored without ``()`` or the
    leading dot.
    """
    if not isinstance(value, dict):
        raise ConfigError(f'{where} must be a table of constructor = "release", got {_type_name(value)}')
    pairs = []
    for constructor, release in value.items():
        if not _DOTTED_RE.fullmatch(constructor):
            raise ConfigError(f"{where}: {constructor!r} is not a dotted name (like mylib.connect)")
        if not isinstance(release, str):
            raise ConfigError(
                f"{where}.{constructor!r} must be a string (a method or function name), got {_type_name(release)}"
            )
        name = release.strip().removesuffix("()")
        name = name[1:] if name.startswith(".") and "." not in name[1:] else name
        if not _DOTTED_RE.fullmatch(name):
            raise ConfigError(
                f"{where}.{constructor!r}: {release!r} is not a method (close) or function (shutil.rmtree)"
            )
        pairs.append((constructor, name))
    return tuple(pairs)


def _pytest_settings(settings: Settings, root: str) -> Settings:
    """``settings`` with pytest's collection options (``python_files``, ``python_classes``,
    ``python_functions``) from the pytest configuration at ``root``."""
    from sessionlint.rootdir import list_option

    return replace(
        settings,
        python_files=list_option(root, "python_files", DEFAULT_PYTHON_FILES),
        python_classes=list_option(root, "python_classes", DEFAULT_PYTHON_CLASSES),
        python_functions=list_option(root, "python_functions", DEFAULT_PYTHON_FUNCTIONS),
    )


def with_rootdir(settings: Settings, rootdir: str) -> Settings:
    """``settings`` for the tests whose pytest rootdir is ``rootdir`` (``Resolver``):
    pytest's collection options from the configuration file there, its ``--confcutdir`` and its
    ``pythonpath`` (directories inside the rootdir, where modules are searched too).

    ``--rootdir`` in ``addopts`` is ignored, as pytest ignores it (the rootdir is where the ini file
    was found); a ``--confcutdir`` above the rootdir reads nothing above it.
    """
    from sessionlint.rootdir import config_file, confcutdir, pythonpath

    rootdir = os.path.abspath(rootdir)
    changes: dict = {"rootdir": rootdir, "confcutdir": "", "pythonpath": ()}
    path = config_file(rootdir)
    if path is not None:
        settings = _pytest_settings(settings, rootdir)
        changes.update(confcutdir=confcutdir(rootdir, path), pythonpath=pythonpath(rootdir, path))
    return replace(settings, **changes)
