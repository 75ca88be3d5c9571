"""The data that flows through the pipeline: picklable, cacheable, no behaviour.

Per-file extraction (``extract.py``) turns one source file into a ``FileFacts``;
resolution (``index.py``) joins the facts of all files; rules turn facts into
``Diagnostic`` objects; fixers (``fixes.py``) turn a diagnostic's ``Fix`` into
source edits, parsing with libcst only the files that need it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class FixError(Exception):
    """A fix that cannot be applied to this source."""


BROAD_SCOPES = frozenset({"class", "module", "package", "session"})
SCOPE_RANK = {"function": 0, "class": 1, "module": 2, "package": 3, "session": 4}


@dataclass(frozen=True)
class FixOp:
    """One fixer call: ``kind`` names a registered fixer, ``args`` its arguments."""

    path: str
    kind: str
    args: tuple[tuple[str, str], ...] = ()

    def arg(self, key: str, default: str = "") -> str:
        return dict(self.args).get(key, default)


@dataclass(frozen=True)
class Fix:
    applicability: str  # "safe" | "unsafe"
    message: str
    ops: tuple[FixOp, ...]
    priority: int = 1  # lower runs first; consumers re-checked after definitions change


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    col: int  # 1-based, as printed
    code: str
    message: str
    end_line: int = 0
    end_col: int = 0
    fix: Fix | None = None
    # Structured fields: what faces (the guard, JSON/SARIF) read instead of parsing ``message``.
    # Empty where a rule has nothing to say about them.
    fixture: str = ""  # the fixture whose value or lifetime the finding is about (as tests request it)
    scope: str = ""  # that fixture's scope, or why it is shared ("session", "module state", ...)
    defined: str = ""  # where that fixture is defined: "absolute/path.py:line"
    owner: str = ""  # qualname of the test or fixture the finding sits in ("TestA.test_b", "db")
    owner_kind: str = ""  # "test" | "fixture" | "setup" | "body" | "helper" (SLK301) | ""
    target: str = ""  # global state written (SLK301): family, e.g. "environ", "syspath", "cwd", "attr"
    target_key: str = ""  # the key within the family: "HOME", "pkg.config.PORT"; "" for the whole target
    fix_title: str = ""  # the remedy, one line ("copy it first (copy.deepcopy) ..."): text prints it as ``help:``

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


@dataclass(frozen=True)
class Span:
    line: int
    col: int  # 1-based
    end_line: int
    end_col: int


@dataclass
class Mutation:
    """A write to the object a parameter name refers to."""

    name: str  # the requested fixture (parameter) whose value is written
    span: Span
    what: str  # e.g. "append() on shared_config['users']"
    after_yield: bool = False
    ambiguous: bool = False  # a method name that also exists on non-containers (add, update, ...)


@dataclass
class Value:
    """What a fixture hands out, as far as the syntax tells."""

    kind: str  # mutable | param | shared | passthrough | copy | immutable | factory | opaque
    desc: str  # "a dict", "module global 'REGISTRY'", ...
    span: Span | None = None
    literal: bool = False  # built only from literals (safe to copy or re-create)
    source: str = ""  # passthrough: the fixture returned as is; copy or mutable: the requested name copied
    cls: str = ""  # opaque: the class (qualified as written) whose fresh instance it is, ``app.models.Config``


@dataclass
class FixtureDef:
    name: str  # the name tests request (``name=`` wins over the function name)
    func: str
    cls: str | None  # enclosing class, dotted for nested classes
    span: Span  # the ``def`` name
    scope: str | None  # None: dynamic scope, unknown
    autouse: bool = False
    params_literal: str = ""  # "mutable" when params= holds mutable literals
    has_params: bool = False
    args: tuple[str, ...] = ()  # requested fixtures (parameters)
    is_yield: bool = False
    value: Value | None = None
    mutations: list[Mutation] = field(default_factory=list)
    has_name_kwarg: bool = False
    is_async: bool = False
    arg_spans: tuple[Span, ...] = ()  # the name of each parameter in ``args``, same order

    @property
    def qualname(self) -> str:
        return f"{self.cls}.{self.func}" if self.cls else self.func


@dataclass
class TestDef:
    name: str
    cls: str | None
    span: Span
    args: tuple[str, ...]
    mutations: list[Mutation] = field(default_factory=list)
    usefixtures: tuple[str, ...] = ()

    @property
    def qualname(self) -> str:
        return f"{self.cls}.{self.name}" if self.cls else self.name


@dataclass
class ImportedName:
    module: str  # absolute or relative ("." prefixed) module name
    name: str  # "*" for star imports
    asname: str
    level: int = 0


@dataclass
class FileFacts:
    path: str
    fixtures: list[FixtureDef] = field(default_factory=list)
    tests: list[TestDef] = field(default_factory=list)
    pytest_plugins: tuple[str, ...] = ()
    imports: list[ImportedName] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)
    class_usefixtures: dict[str, tuple[str, ...]] = field(default_factory=dict)
    internal_error: str | None = None
    # test class ("" at module level) -> every fixture name its tests request (parameters, usefixtures)
    test_requests: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # what the module binds at top level: name -> a class's own names, or None for anything else;
    # None when it cannot be known (``__getattr__``, ``import *``, a file that does not parse)
    top_names: dict[str, tuple[str, ...] | None] | None = None
    # per-rule facts for the project step, keyed by rule code (picklable values only)
    rule_data: dict[str, object] = field(default_factory=dict)
    # imported names the facts were extracted believing are not the project's (nothing recorded
    # about calls into them), with the search they were looked up with (root, pythonpath); cached
    # facts are reused only while that still holds (sessionlint.modules)
    assumed_absent: tuple[str, ...] = ()
    assumed_search: tuple[str | None, tuple[str, ...]] | None = None
