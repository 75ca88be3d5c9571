"""Bounded fingerprints of fixture values, and readable descriptions of changes.

A fingerprint is a compact snapshot that compares with ``==``. Pure data
(builtin containers and scalars, plain objects, dataclasses) is serialised in
one C-speed pass by a restricted pickler; anything else is walked one object
at a time within a budget, and what cannot be walked cheaply is summarised
(and a note says so). Only when two fingerprints differ are they expanded into
readable values -- unpickling runs no user code: user classes come back as
`Shadow` instances -- and compared path by path.
"""

from __future__ import annotations

import array
import collections
import datetime
import decimal
import enum
import fractions
import hashlib
import inspect
import io
import pathlib
import pickle
import re
import sys
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

ATOMIC: Final[frozenset[type]] = frozenset(
    {int, float, complex, bool, str, bytes, type(None), type(Ellipsis), type(NotImplemented)}
)
#: Immutable value types: compared with ``==`` and rendered with ``repr``.
VALUE_TYPES: Final[tuple[type, ...]] = (
    datetime.date,
    datetime.time,
    datetime.timedelta,
    datetime.tzinfo,
    decimal.Decimal,
    fractions.Fraction,
    uuid.UUID,
    pathlib.PurePath,
    range,
    re.Pattern,
    enum.Enum,
)
#: Exact stdlib types whose standard pickling captures all their state and
#: whose reconstruction is free of side effects.
SAFE_TYPES: Final[frozenset[type]] = frozenset(
    {
        bytearray,
        collections.OrderedDict,
        collections.defaultdict,
        collections.Counter,
        collections.deque,
        array.array,
        types.SimpleNamespace,
    }
)
#: Exact types whose ``len`` is cheap and trustworthy (no user code).
_SIZED: Final[frozenset[type]] = frozenset(
    {
        list,
        tuple,
        dict,
        set,
        frozenset,
        bytearray,
        collections.deque,
        collections.OrderedDict,
        collections.defaultdict,
        collections.Counter,
    }
)
_PURE_CONTAINERS: Final[frozenset[type]] = frozenset({list, tuple, dict, set, frozenset})
_BY_REFERENCE: Final[tuple[type, ...]] = (types.FunctionType, types.BuiltinFunctionType, type)
_IDENTITY_ONLY: Final[tuple[type, ...]] = (
    types.ModuleType,
    types.MethodType,
    types.GeneratorType,
    types.CodeType,
    types.FrameType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
)
_REDUCE_HOOKS: Final = (
    "__reduce_ex__",
    "__reduce__",
    "__getstate__",
    "__getnewargs__",
    "__getnewargs_ex__",
)
MISSING_TEXT: Final = "<missing>"
#: Where the walk stops: instances of types from these modules (or with these
#: qualified names) are compared by identity only, never walked into. Mocks
#: record every call, loggers and event loops hold live runtime internals:
#: what changes inside them is noise. Extended with the ini option
#: ``sessionlint_guard_opaque``.
DEFAULT_OPAQUE: Final[tuple[str, ...]] = (
    "unittest.mock",
    "logging",
    "asyncio",
    "anyio",
    "trio",
    "sniffio",
    "threading",
    "_thread",
    "concurrent.futures",
    "multiprocessing",
    "queue",
    "selectors",
    "socket",
    "ssl",
    "sqlite3",
    "weakref",
    "_weakrefset",
    "_io",
    "io",
)
_opaque: tuple[str, ...] = DEFAULT_OPAQUE
_first_party: Callable[[type], bool] | None = None


def configure(opaque: tuple[str, ...] = (), first_party: Callable[[type], bool] | None = None) -> None:
    """Set where walks stop: `opaque` adds to `DEFAULT_OPAQUE`; with `first_party`,
    an object of any other (library) type reached through an attribute is
    compared by identity only. The guard calls this once per run."""
    global _opaque, _first_party
    _opaque = DEFAULT_OPAQUE + tuple(opaque)
    _first_party = first_party
    _kinds.clear()
    _picklable.clear()


def _is_opaque(cls: type) -> bool:
    module = str(getattr(cls, "__module__", ""))
    if module == "builtins":
        return False
    qualified = f"{module}.{getattr(cls, '__qualname__', '')}"
    return any(
        qualified == entry or module == entry or module.startswith(entry + ".")
        for entry in _opaque
    )


@dataclass(frozen=True)
class Limits:
    """How much work one fingerprint may do."""

    max_nodes: int = 10_000  # objects walked one at a time
    max_depth: int = 32  # nesting levels walked one at a time
    max_bytes: int = 2 * 1024 * 1024  # serialised bytes, failed attempts included
    max_items: int = 100_000  # a longer container is compared by its length only
    max_hash_bytes: int = 1024 * 1024  # a larger array is compared by shape and dtype only


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """A comparable snapshot of a value, with notes on what was summarised."""

    snap: object
    notes: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprint) and self.snap == other.snap

    def __hash__(self) -> int:
        return hash(type(self))


class Change(NamedTuple):
    """One difference: where (``['users']``, ``.debug``, or ``""``) and what."""

    path: str
    before: str
    after: str

    def __str__(self) -> str:
        head = f"{self.path} " if self.path else ""
        return f"{head}{self.before} -> {self.after}"


@dataclass(frozen=True)
class Opaque:
    """A summarised part of a value: shown as `text`, compared by `key`."""

    text: str
    key: object = None


class Shadow:
    """Stand-in for an instance of a user class, holding only its state."""

    shadowed: type = object  # the user class (read it from the type, not the instance)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(type(self))


def fingerprint(value: object, limits: Limits = DEFAULT_LIMITS) -> Fingerprint:
    """Snapshot `value` within `limits`."""
    walker = _Walker(limits)
    snap = walker.walk(value, 0, None)
    return Fingerprint(snap, tuple(walker.notes))


def describe_changes(
    before: Fingerprint, after: Fingerprint, max_changes: int = 5, width: int = 60
) -> tuple[list[Change], int]:
    """Readable differences (at most `max_changes`) and how many more there were."""
    if before == after:
        return [], 0
    try:
        old, new = expand(before.snap), expand(after.snap)
    except Exception:  # noqa: BLE001 -- e.g. a module the value refers to was unloaded
        return [Change("", "<unreadable value>", "<changed value>")], 0
    found: list[Change] = []
    try:
        _diff(old, new, (), found, set(), 0, width)
    except RecursionError:
        found = [Change("", render(old, width), render(new, width))]
    return found[:max_changes], max(0, len(found) - max_changes)


# -- snapshot ---------------------------------------------------------------


class _TooBig(Exception):
    pass


class _Impure(Exception):
    pass


class _Sink:
    """A write-only file that refuses to grow past its budget."""

    __slots__ = ("chunks", "left", "used")

    def __init__(self, budget: int) -> None:
        self.chunks: list[bytes] = []
        self.left = budget
        self.used = 0

    def write(self, data: bytes | memoryview) -> int:
        size = data.nbytes if isinstance(data, memoryview) else len(data)
        self.used += size
        if size > self.left:
            raise _TooBig
        self.left -= size
        self.chunks.append(bytes(data))
        return size


_plain_cache: dict[type, bool] = {}


def _is_plain(cls: type) -> bool:
    """True if pickling an instance of `cls` captures exactly its attributes."""
    plain = _plain_cache.get(cls)
    if plain is None:
        has_state = bool(cls.__dictoffset__) or bool(_slot_names(cls))
        plain = has_state and not any(
            klass.__module__ == "builtins" or any(hook in vars(klass) for hook in _REDUCE_HOOKS)
            for klass in cls.__mro__[:-1]
        )
        _plain_cache[cls] = plain
    return plain


_PARTS: Final[tuple[tuple[type, str], ...]] = (
    (dict, "dict"),
    (types.MappingProxyType, "proxy"),
    (list, "list"),
    (collections.deque, "list"),
    (tuple, "tuple"),
    (set, "set"),
    (frozenset, "set"),
    (bytearray, "buffer"),
    (memoryview, "buffer"),
    (array.array, "buffer"),
)
_kinds: dict[type, str] = {}
_picklable: dict[type, bool] = {}


def _kind_of(cls: type) -> str:
    """How the walker treats instances of `cls` (cached per type)."""
    kind = _kinds.get(cls)
    if kind is None:
        kind = _kinds[cls] = _classify(cls)
    return kind


def _classify(cls: type) -> str:
    if cls in ATOMIC:
        return "atom"
    if issubclass(cls, VALUE_TYPES):
        return "value"
    if issubclass(cls, _IDENTITY_ONLY) or _is_opaque(cls):
        return "identity"
    for base, kind in _PARTS:
        if issubclass(cls, base):
            return kind
    root = str(cls.__module__).partition(".")[0]
    return root if root in _ARRAY_LIKE else "object"


def _is_picklable(cls: type) -> bool:
    """Whether `_PurePickler` accepts instances of `cls` (cached per type)."""
    ok = _picklable.get(cls)
    if ok is None:
        ok = _picklable[cls] = (
            cls in ATOMIC
            or cls in SAFE_TYPES
            or issubclass(cls, VALUE_TYPES)
            or issubclass(cls, _BY_REFERENCE)
            or (
                _is_plain(cls)
                and not _is_opaque(cls)
                and (_first_party is None or _first_party(cls))
            )
        )
    return ok


def _seen_before(type_name: str, ordinal: int) -> Opaque:
    """Unpickled in place of an object the walker had already visited."""
    return Opaque(f"<same {type_name} as above>", ordinal)


class _PurePickler(pickle.Pickler):
    """Pickles only pure data, and at most `budget` non-builtin objects.

    Raises `_Impure` at anything else; writes a `_seen_before` marker for
    objects the walker already visited, so back-references (``parent``
    pointers) do not drag the whole graph into every subtree.
    """

    def __init__(self, file: _Sink, seen: dict[int, int], budget: int) -> None:
        super().__init__(file, protocol=5)
        self.seen = seen
        self.left = budget

    def reducer_override(self, obj: Any) -> Any:
        self.left -= 1
        if self.left < 0:
            raise _TooBig
        ordinal = self.seen.get(id(obj)) if self.seen else None
        if ordinal is not None:
            return _seen_before, (type(obj).__name__, ordinal)
        if _picklable.get(type(obj)) or _is_picklable(type(obj)):
            return NotImplemented
        raise _Impure


class _Walker:
    """One bounded walk over a value."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.nodes = 0
        self.bytes_left = limits.max_bytes
        self.pickling = True
        self.stopped = False
        self.seen: dict[int, int] = {}
        self.notes: list[str] = []
        self._keep: list[object] = []  # keeps walked temporaries alive so ids stay unique

    def walk(self, obj: object, depth: int, path: _Path) -> object:
        cls = type(obj)
        kind = _kinds.get(cls) or _kind_of(cls)
        if kind == "atom":
            return obj
        if kind == "value":
            return ("v", obj)
        ident = id(obj)
        if kind == "identity":
            if isinstance(obj, _IDENTITY_ONLY):
                return ("x", _describe_callable(obj), ident)
            return ("x", f"<{cls.__name__} object>", ident)  # opaque: no attribute is read
        if ident in self.seen:
            return ("x", f"<same {cls.__name__} as above>", self.seen[ident])
        if cls in _SIZED and len(obj) > self.limits.max_items:  # type: ignore[arg-type]
            return self._summary(obj, path, f"has {len(obj)} items")  # type: ignore[arg-type]
        if self.nodes >= self.limits.max_nodes:
            return ("x", _summary_text(obj), (self._stop(path), id(obj)))
        self.nodes += 1
        tried = kind not in _ARRAY_LIKE and (cls in _PURE_CONTAINERS or _is_picklable(cls))
        pickled = self._pickle(obj) if tried else None
        if pickled is not None:
            return ("p", pickled)
        if depth >= self.limits.max_depth:
            return self._summary(obj, path, f"is nested deeper than {self.limits.max_depth} levels")
        self.seen[ident] = len(self.seen)
        return self._walk_parts(obj, kind, depth + 1, path, tried)

    def _pickle(self, obj: object) -> bytes | None:
        """Serialise `obj` in one pass if it is pure and within budget."""
        if not self.pickling or self.bytes_left <= 0:
            return None
        sink = _Sink(self.bytes_left)
        budget = max(1, (self.limits.max_nodes - self.nodes) // 2)
        pickler = _PurePickler(sink, self.seen, budget)
        try:
            pickler.dump(obj)
        except RecursionError:
            self.pickling = False
            return None
        except Exception:  # noqa: BLE001 -- impure, too big or unpicklable: walk it
            return None
        finally:
            self.bytes_left -= sink.used
            self.nodes += budget - max(pickler.left, 0)
        return b"".join(sink.chunks)

    def _walk_parts(self, obj: Any, kind: str, depth: int, path: _Path, tried: bool) -> object:
        cls = type(obj)
        name = cls.__name__
        if kind == "dict":
            return ("d", name, self._walk_items(dict.items(obj), depth, path))
        if kind == "proxy":
            return ("d", name, self._walk_items(obj.items(), depth, path))
        if kind == "list":
            return ("l", name, self._walk_seq(obj, depth, path))
        if kind == "tuple":
            return ("t", name, self._walk_seq(tuple.__iter__(obj), depth, path))
        if kind == "set":
            return ("s", name, frozenset(self._walk_seq(obj, depth, path)))
        if kind == "buffer":
            return self._buffer(obj, path)
        if kind in _ARRAY_LIKE:
            return _ARRAY_LIKE[kind](self, obj, path)
        state = _object_state(obj)
        if state is None:
            return ("x", f"<{name} object>", id(obj))
        self._keep.append(state)
        if tried or _first_party is not None:  # walk attribute by attribute
            return ("o", cls, ("d", "dict", self._walk_items(state.items(), depth, path, True)))
        return ("o", cls, self.walk(state, depth, path))

    def _walk_items(
        self, items: Any, depth: int, path: _Path, attrs: bool = False
    ) -> tuple[object, ...]:
        out = []
        for key, value in items:
            if self.nodes >= self.limits.max_nodes:
                more = self._stop(path)
                out.append((("x", "<more items>", more), ("x", "...", more)))
                break
            self.nodes += 1
            if attrs and _is_library_object(value):
                walked: object = ("x", f"<{type(value).__name__} object>", id(value))
            else:
                walked = self.walk(value, depth, (path, key, "key"))
            out.append((self.walk(key, depth, path), walked))
        return tuple(out)

    def _walk_seq(self, items: Any, depth: int, path: _Path) -> tuple[object, ...]:
        out: list[object] = []
        for index, item in enumerate(items):
            if self.nodes >= self.limits.max_nodes:
                out.append(("x", "<more items>", self._stop(path)))
                break
            self.nodes += 1
            out.append(self.walk(item, depth, (path, index, "index")))
        return tuple(out)

    def _buffer(self, obj: bytearray | memoryview | array.array[Any], path: _Path) -> object:
        name = type(obj).__name__
        view = memoryview(obj)
        if view.nbytes > self.limits.max_hash_bytes:
            return self._summary(obj, path, f"has {view.nbytes} bytes, too many to hash")
        data = view.tobytes()
        return ("x", f"<{name} of {len(data)} bytes #{_digest(data)}>", data)

    def _summary(self, obj: object, path: _Path, why: str) -> object:
        self.notes.append(f"{_where(path)} ({type(obj).__name__}) {why}; compared by length only")
        return ("x", _summary_text(obj), (_size(obj), id(obj)))

    def _stop(self, path: _Path) -> int:
        """Note (once) that the node budget ran out; return a stable marker."""
        if not self.stopped:
            self.stopped = True
            self.notes.append(
                f"the walk stopped at {_where(path)} after {self.limits.max_nodes} objects;"
                " the rest is compared by length and identity only"
            )
        return self.limits.max_nodes


_Path = tuple[Any, Any, str] | None


def _is_library_object(value: object) -> bool:
    """An instance of a library (not first-party) class, walked into no further."""
    if _first_party is None:
        return False
    cls = type(value)
    kind = _kinds.get(cls) or _kind_of(cls)
    return kind == "object" and not _first_party(cls)


def _size(obj: object) -> int | None:
    return len(obj) if type(obj) in _SIZED else None  # type: ignore[arg-type]


def _summary_text(obj: object) -> str:
    size = _size(obj)
    name = type(obj).__name__
    return f"<{name} of {size} items>" if size is not None else f"<{name} object>"


def _where(path: _Path) -> str:
    if path is None:
        return "the value"
    text = _path_text(path)
    return f"the value at {text if len(text) <= 60 else '...' + text[-57:]}"


def _path_text(path: _Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, segment, kind = path
        parts.append(f"[{render(segment, 30)}]" if kind == "key" else f"[{segment}]")
    return "".join(reversed(parts))


def _object_state(obj: object) -> dict[str, object] | None:
    """The instance dict plus slot values, or None for opaque objects."""
    try:
        attrs = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        attrs = None
    slots = _slot_names(type(obj))
    if not slots:
        return dict(attrs) if isinstance(attrs, dict) else None
    state = dict(attrs) if isinstance(attrs, dict) else {}
    for slot in slots:
        try:
            state[slot] = object.__getattribute__(obj, slot)
        except AttributeError:
            pass
    return state


_slots_cache: dict[type, tuple[str, ...]] = {}


def _slot_names(cls: type) -> tuple[str, ...]:
    names = _slots_cache.get(cls)
    if names is None:
        found: list[str] = []
        for klass in cls.__mro__:
            declared = vars(klass).get("__slots__", ())
            for name in (declared,) if isinstance(declared, str) else declared:
                if name in ("__dict__", "__weakref__"):
                    continue
                if name.startswith("__") and not name.endswith("__"):
                    name = f"_{klass.__name__.lstrip('_')}{name}"
                found.append(name)
        names = _slots_cache[cls] = tuple(found)
    return names


def _describe_callable(obj: object) -> str:
    """``<class 'A'>``, ``<function f>``, ``<module m>``: no user code runs."""
    if isinstance(obj, type):
        return f"<class {obj.__qualname__!r}>"
    if isinstance(obj, types.ModuleType):  # a module __getattr__ must not run
        return f"<module {obj.__name__}>"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    kind = type(obj).__name__
    return f"<{kind} {name}>" if isinstance(name, str) else f"<{kind}>"


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def _numpy_array(walker: _Walker, obj: Any, path: _Path) -> object:
    try:
        shape, dtype, nbytes = tuple(obj.shape), str(obj.dtype), int(obj.nbytes)
    except Exception:  # noqa: BLE001 -- not an array after all
        return ("x", f"<{type(obj).__name__} object>", id(obj))
    name = type(obj).__name__
    if nbytes <= walker.limits.max_hash_bytes:
        digest = _digest(obj.tobytes())
        return ("x", f"<{name} shape={shape} dtype={dtype} #{digest}>", (shape, dtype, digest))
    walker.notes.append(
        f"{_where(path)} ({name} of {nbytes} bytes) is too large to hash;"
        " compared by shape and dtype only"
    )
    return ("x", f"<{name} shape={shape} dtype={dtype}>", (shape, dtype, id(obj)))


def _pandas_object(walker: _Walker, obj: Any, path: _Path) -> object:
    name = type(obj).__name__
    shape = getattr(obj, "shape", None)
    walker.notes.append(f"{_where(path)} ({name}) is compared by shape only")
    return ("x", f"<{name} shape={shape}>", (repr(shape), id(obj)))


_ARRAY_LIKE: Final[dict[str, Callable[[_Walker, Any, _Path], object]]] = {
    "numpy": _numpy_array,
    "pandas": _pandas_object,
}


# -- expansion --------------------------------------------------------------

_shadow_classes: dict[type, type[Shadow]] = {}


def _shadow_class(real: type) -> type[Shadow]:
    shadow = _shadow_classes.get(real)
    if shadow is None:
        namespace = {
            "__qualname__": real.__qualname__,
            "__module__": real.__module__,
            "shadowed": real,
        }
        shadow = _shadow_classes[real] = type(real.__name__, (Shadow,), namespace)
    return shadow


def _is_value_class(cls: type) -> bool:
    return cls.__module__ == "builtins" or cls in SAFE_TYPES or issubclass(cls, VALUE_TYPES)


class _SafeUnpickler(pickle.Unpickler):
    """Loads what `_PurePickler` wrote; user classes become `Shadow` classes."""

    def find_class(self, module: str, name: str) -> Any:
        if module not in sys.modules:
            raise pickle.UnpicklingError(f"{module} is not imported")
        found = super().find_class(module, name)
        if isinstance(found, type) and not _is_value_class(found):
            return _shadow_class(found)
        return found


def expand(snap: object) -> object:
    """Turn a snapshot into plain readable values."""
    if type(snap) is not tuple:
        return snap
    tag = snap[0]
    if tag == "p":
        return _SafeUnpickler(io.BytesIO(snap[1])).load()
    if tag == "v":
        return snap[1]
    if tag == "x":
        return Opaque(snap[1], snap[2])
    if tag == "d":
        return {_hashable(expand(k)): expand(v) for k, v in snap[2]}
    if tag == "l":
        items = [expand(item) for item in snap[2]]
        return collections.deque(items) if snap[1] == "deque" else items
    if tag == "t":
        return tuple(expand(item) for item in snap[2])
    if tag == "s":
        return {_hashable(expand(item)) for item in snap[2]}
    if tag == "o":
        shadow = object.__new__(_shadow_class(snap[1]))
        state = expand(snap[2])
        if isinstance(state, dict):
            vars(shadow).update(state)
        return shadow
    raise ValueError(f"unknown snapshot tag {tag!r}")


def _hashable(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        return Opaque(render(value, 40), id(value))
    return value


# -- diff -------------------------------------------------------------------

_Segment = tuple[str, object]  # ("key", k) | ("index", i) | ("attr", name)


def _diff(
    old: object,
    new: object,
    path: tuple[_Segment, ...],
    out: list[Change],
    compared: set[tuple[int, int]],
    depth: int,
    width: int,
) -> None:
    """Append the changes from `old` to `new`; each container pair is compared once."""
    kind = _container_kind(old, new)
    if kind is None or depth > 64:
        if not _same(old, new):
            out.append(Change(_render_path(path), render(old, width), render(new, width)))
        return
    pair = (id(old), id(new))
    if pair in compared:  # a cycle, or shared and already reported at its first path
        return
    compared.add(pair)
    if kind == "seq" and len(old) != len(new):  # type: ignore[arg-type]
        out.append(_resized(old, new, path, width))  # type: ignore[arg-type]
        return
    for segment, before, after in _pairs(kind, old, new):
        if len(out) > 50:
            return
        _diff(before, after, (*path, segment), out, compared, depth + 1, width)


_ABSENT = object()


def _resized(old: Any, new: Any, path: tuple[_Segment, ...], width: int) -> Change:
    """A sequence that grew or shrank: whole if it fits, else just the end that changed."""
    before, after = render(old, width), render(new, width)
    shorter, longer = (old, new) if len(old) < len(new) else (new, old)
    if max(len(before), len(after)) < width or not _same_prefix(shorter, longer):
        return Change(_render_path(path), before, after)
    tail = type(longer)(list(longer)[len(shorter):])
    empty = type(longer)()
    grown = (render(empty, width), render(tail, width))
    head, rest = (grown if shorter is old else grown[::-1])
    return Change(f"{_render_path(path)}[{len(shorter)}:]", head, rest)


def _same_prefix(shorter: Any, longer: Any) -> bool:
    try:
        return all(_same(a, b) for a, b in zip(shorter, longer))
    except RecursionError:
        return False


def _container_kind(old: object, new: object) -> str | None:
    if type(old) is not type(new):
        return None
    if isinstance(old, dict):
        return "map"
    if isinstance(old, (list, tuple, collections.deque)):
        return "seq"
    if isinstance(old, Shadow):
        return "attrs"
    return None


def _pairs(kind: str, old: Any, new: Any) -> Iterator[tuple[_Segment, object, object]]:
    if kind == "seq":
        for index, (before, after) in enumerate(zip(old, new)):
            yield ("index", index), before, after
        return
    if kind == "map":
        old_map, new_map, label = old, new, "key"
    else:
        old_map, new_map, label = vars(old), vars(new), "attr"
    for key, before in old_map.items():
        yield (label, key), before, new_map.get(key, _class_default(old, key))
    for key, after in new_map.items():
        if key not in old_map:
            yield (label, key), _class_default(old, key), after


def _class_default(obj: object, name: object) -> object:
    """What reading attribute `name` falls back to when the instance lacks it.

    Undoing ``monkeypatch.setattr(instance, "flag", ...)`` for a class-level
    ``flag`` leaves an equal instance attribute behind: that is no change.
    """
    if not isinstance(obj, Shadow) or not isinstance(name, str):
        return _ABSENT
    value = inspect.getattr_static(type(obj).shadowed, name, _ABSENT)
    return value if type(value) in ATOMIC or isinstance(value, VALUE_TYPES) else _ABSENT


def _same(old: object, new: object) -> bool:
    try:
        return bool(old is new or old == new) and type(old) is type(new)
    except Exception:  # noqa: BLE001 -- a comparison that fails counts as a change
        return False


def _render_path(path: tuple[_Segment, ...]) -> str:
    parts = []
    for kind, item in path:
        if kind == "attr":
            parts.append(f".{item}")
        elif kind == "index":
            parts.append(f"[{item}]")
        else:
            parts.append(f"[{render(item, 40)}]")
    return "".join(parts)


# -- rendering --------------------------------------------------------------


class _Full(Exception):
    pass


class _Out:
    """Collects text and stops (raising `_Full`) once past `limit` characters."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.active: set[int] = set()

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > self.limit:
            raise _Full


def render(value: object, width: int = 60) -> str:
    """A repr of `value` cut to `width` characters.

    Runs no user code, bar the ``repr`` of immutable value types (dates, paths).
    """
    out = _Out(width)
    try:
        _emit(value, out)
    except _Full:
        pass
    text = "".join(out.parts)
    return text if len(text) <= width else text[: width - 3] + "..."


_BRACKETS: Final = {list: ("[", "]"), collections.deque: ("deque([", "])")}


def _emit(value: object, out: _Out) -> None:
    if value is _ABSENT:
        out.add(MISSING_TEXT)
    elif isinstance(value, (str, bytes, bytearray)):
        out.add(repr(value[: out.limit + 1]))
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        out.add(f"<int of {value.bit_length()} bits>")
    elif isinstance(value, enum.Enum):
        out.add(f"{type(value).__name__}.{value._name_}")
    elif type(value) in ATOMIC or isinstance(value, VALUE_TYPES):
        out.add(repr(value))
    elif isinstance(value, Opaque):
        out.add(value.text)
    elif isinstance(value, _IDENTITY_ONLY):
        out.add(_describe_callable(value))
    elif id(value) in out.active:
        out.add("...")
    else:
        out.active.add(id(value))
        _emit_container(value, out)
        out.active.discard(id(value))


def _emit_container(value: object, out: _Out) -> None:
    if isinstance(value, Shadow):
        _emit_items(f"{type(value).__name__}(", ")", vars(value).items(), out, "=")
    elif isinstance(value, dict):
        head = "{" if type(value) is dict else f"{type(value).__name__}({{"
        tail = "}" if type(value) is dict else "})"
        _emit_items(head, tail, value.items(), out, ": ")
    elif isinstance(value, (set, frozenset)):
        _emit_set(value, out)
    elif isinstance(value, tuple):
        _emit_seq("(", ",)" if len(value) == 1 else ")", value, out)
    elif isinstance(value, (list, collections.deque)):
        head, tail = _BRACKETS.get(type(value), (f"{type(value).__name__}([", "])"))
        _emit_seq(head, tail, value, out)
    elif isinstance(value, types.SimpleNamespace):
        _emit_items("namespace(", ")", vars(value).items(), out, "=")
    else:
        out.add(f"<{type(value).__name__} object>")


def _emit_seq(head: str, tail: str, items: Any, out: _Out) -> None:
    out.add(head)
    for index, item in enumerate(items):
        if index:
            out.add(", ")
        _emit(item, out)
    out.add(tail)


def _emit_items(head: str, tail: str, items: Any, out: _Out, sep: str) -> None:
    out.add(head)
    for index, (key, item) in enumerate(items):
        if index:
            out.add(", ")
        if sep == "=":
            out.add(f"{key}=")
        else:
            _emit(key, out)
            out.add(sep)
        _emit(item, out)
    out.add(tail)


def _emit_set(value: set[Any] | frozenset[Any], out: _Out) -> None:
    frozen = isinstance(value, frozenset)
    if not value:
        out.add("frozenset()" if frozen else "set()")
        return
    texts = [render(item, out.limit) for item in value] if len(value) <= 50 else None
    out.add("frozenset({" if frozen else "{")
    if texts is None:
        _emit_seq("", "", value, out)
    else:
        out.add(", ".join(sorted(texts)))
    out.add("})" if frozen else "}")
