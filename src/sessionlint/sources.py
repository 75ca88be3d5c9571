"""Reading and writing source files byte-faithfully: encoding, BOM, newlines, mode."""

from __future__ import annotations

import ast
import codecs
import gc
import os
import re
import stat
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from typing import Iterator

_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_RE = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")


class SourceError(Exception):
    """A file that cannot be read as Python source text."""


@dataclass(frozen=True, slots=True)
class Source:
    text: str  # decoded, BOM stripped, newlines as in the file
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def _normal_name(name: str) -> str:
    """The codec Python's tokenizer would use for a coding cookie (``utf-8-sig`` reads as utf-8)."""
    name = name.lower().replace("_", "-")
    if name == "utf-8" or name.startswith("utf-8-"):
        return "utf-8"
    if name in ("latin-1", "iso-8859-1", "iso-latin-1") or name.startswith(("latin-1-", "iso-8859-1-", "iso-latin-1-")):
        return "iso-8859-1"
    return name


def declared_encoding(data: bytes) -> str | None:
    """The PEP 263 coding cookie of ``data`` (BOM already stripped), as Python finds it.

    The cookie counts on the first line, or on the second when the first is
    blank or a comment (as ``tokenize.detect_encoding``).
    """
    lines = data.split(b"\n", 2)
    for number, line in enumerate(lines[:2]):
        match = _CODING_RE.match(line)
        if match:
            return match.group(1).decode("ascii")
        if number == 0 and not _BLANK_RE.match(line):
            break
    return None


def decode(data: bytes) -> Source:
    """Decode bytes the way Python would (BOM, PEP 263 coding line)."""
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    encoding = "utf-8"
    cookie = declared_encoding(data)
    if cookie is not None:
        try:
            encoding = codecs.lookup(_normal_name(cookie)).name
        except LookupError:
            raise SourceError(f"unknown encoding {cookie!r}") from None
        if encoding == "utf-8-sig":
            encoding = "utf-8"
        if bom and encoding != "utf-8":
            raise SourceError(f"the file starts with a UTF-8 BOM but declares the encoding {cookie!r}")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid {encoding}: {exc.reason} at byte {exc.start}") from None
    except LookupError:  # a codec lookup() knows but that cannot decode bytes (rot13...)
        raise SourceError(f"encoding {cookie!r} cannot decode source") from None
    if "\0" in text:
        raise SourceError("source contains a null byte")
    return Source(text, encoding, bom)


def read(path: str) -> Source:
    with open(path, "rb") as f:
        return decode(f.read())


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits (and owner, when allowed).

    The bytes go to a temporary file in the same directory, which then
    replaces the original in one ``os.replace``: a failure at any point leaves
    the original untouched and no temporary file behind. A symbolic link is
    written through (its target is replaced, the link stays a link).
    """
    path = os.path.realpath(path)
    st = os.stat(path)
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".sessionlint.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass  # not permitted: the file becomes ours, as with any editor
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_LINE_END_RE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as Python numbers them (``ast`` line ``n`` is item ``n - 1``), without
    their ends. ``str.splitlines`` also breaks at form feeds and other separators that are
    whitespace to Python, which shifts every later line number."""
    lines = _LINE_END_RE.split(text) if "\r" in text else text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def line_starts(text: str, lines: list[str]) -> list[int]:
    """The offset in ``text`` where each line of ``split_lines(text)`` starts, and one past the end."""
    if "\r" not in text:
        starts = [0]
        starts += accumulate(map((1).__add__, map(len, lines)))  # each line and its "\n"
        return starts
    return [0, *(m.end() for m in _LINE_END_RE.finditer(text))]


def parse(text: str, path: str = "<unknown>") -> ast.Module:
    """``ast.parse`` without warnings: ``"\\d"`` or ``x is 1`` must neither print a
    SyntaxWarning nor, under ``-W error``, turn a valid file into a syntax error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, restored as it was (also after an
    error). For work that makes many objects and no reference cycles (a parsed tree, unpickled
    facts): the collector would only traverse them again and again; what cycles the block does
    make are collected once it runs again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
