"""Messy real repositories never crash sessionlint, and --fix never loses a byte it should keep.

Every test goes through the real command line (``sessionlint.cli.main``) and
checks the exit code (0 clean, 1 findings or files rewritten, 2 usage or
internal error) and that nothing printed a traceback.
"""

from __future__ import annotations

import builtins
import codecs
import json
import os
import re
import stat
import sys
from pathlib import Path

import libcst
import pytest

import sessionlint.engine
import sessionlint.fixes
import sessionlint.rules.fixture_values
from sessionlint.cli import main
from sessionlint.config import Settings
from sessionlint.discovery import discover
from sessionlint.engine import Engine
from sessionlint.fixes import apply_ops
from sessionlint.model import Diagnostic, Fix, FixError, FixOp
from sessionlint.sources import SourceError, decode, write_atomic

# A session fixture handing out a dict built from literals: SLK101 with a safe fix (drop the scope).
SHARED = 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef cfg():\n    return {"users": []}\n'
# A test mutating it: SLK201.
MUTATES = 'def test_add(cfg):\n    cfg["users"].append(1)\n'


def run(capsys, *args: object) -> tuple[int, str, str]:
    """``sessionlint --no-cache -j 1 ARGS``: (exit code, stdout, stderr); never a traceback."""
    code = main(["--no-cache", "-j", "1", *map(str, args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out and "Traceback" not in err, err
    return code, out, err


def diagnostics(capsys, *args: object) -> tuple[int, list[tuple[str, int, str, str]], str]:
    """(exit code, [(file name, line, code, message)], stderr) from ``--format json``."""
    code, out, err = run(capsys, "--format", "json", *args)
    found = [(Path(d["filename"]).name, d["line"], d["code"], d["message"]) for d in json.loads(out)]
    return code, sorted(found), err


_TEXT_RE = re.compile(r"^(?P<path>.*):(?P<line>\d+):(?P<col>\d+): (?P<code>SLK\d+) (?P<message>.*)$")


def text_diagnostics(capsys, *args: object) -> tuple[int, list[tuple[str, int, str, str]], str]:
    """As ``diagnostics``, from the text format: the JSON reporter computes every fix's edits
    with libcst, which takes long on pathological files (deep chains, huge displays)."""
    code, out, err = run(capsys, "--format", "text", *args)
    found = []
    lines = out.splitlines()
    # ruff's summary closes the report: one "Found N error(s)." line, then what --fix can do
    end = next(i for i, line in enumerate(lines) if line.startswith(("Found ", "All checks passed!")))
    shown = [line for line in lines[:end] if not line.startswith("  help: ")]  # a remedy under a diagnostic
    n = len(shown)
    assert lines[end] == (f"Found {n} error{'s' if n != 1 else ''}." if n else "All checks passed!"), lines[end:]
    for line in shown:
        match = _TEXT_RE.match(line)
        assert match, line
        found.append((Path(match["path"]).name, int(match["line"]), match["code"], match["message"]))
    return code, sorted(found), err


def codes(found: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str]]:
    return [(name, line, code) for name, line, code, _ in found]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    return tmp_path


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode())
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# encodings ------------------------------------------------------------------------------------
def test_binary_file_is_slk001_and_the_run_goes_on(root: Path, capsys) -> None:
    write(root, {"test_bin.py": b"\x00\x01\x02\xff\xfe\x89PNG\r\n\x1a\n", "test_ok.py": SHARED})
    code, found, _ = diagnostics(capsys, root)
    assert code == 1
    assert codes(found) == [("test_bin.py", 1, "SLK001"), ("test_ok.py", 6, "SLK101")]
    assert "cannot read file: not valid utf-8" in found[0][3]


def test_null_byte_in_valid_utf8_is_slk001(root: Path, capsys) -> None:
    write(root, {"test_null.py": b"x = 1\x00\n"})
    code, found, _ = diagnostics(capsys, root)
    assert code == 1 and codes(found) == [("test_null.py", 1, "SLK001")]
    assert "null byte" in found[0][3]


def test_bytes_invalid_in_declared_encoding(root: Path, capsys) -> None:
    write(root, {
        "test_utf8.py": b"x = '\xff'\n",
        "test_ascii.py": b"# -*- coding: ascii -*-\nx = '\xe9'\n",
        "test_unknown.py": b"# coding: klingon\nx = 1\n",
        "test_text_codec.py": b"# coding: rot13\nx = 1\n",
    })  # fmt: skip
    code, found, _ = diagnostics(capsys, root)
    assert code == 1
    messages = {name: message for name, _, _, message in found}
    assert codes(found) == [(name, 1, "SLK001") for name in sorted(messages)]
    assert "not valid utf-8" in messages["test_utf8.py"]
    assert "not valid ascii" in messages["test_ascii.py"]
    assert "unknown encoding 'klingon'" in messages["test_unknown.py"]
    assert "rot13" in messages["test_text_codec.py"]


def test_bom_with_a_conflicting_coding_line_is_slk001(root: Path, capsys) -> None:
    # Python refuses it too: "encoding problem: latin-1 with BOM"
    write(root, {"test_bom.py": codecs.BOM_UTF8 + b"# coding: latin-1\nx = 1\n"})
    code, found, _ = diagnostics(capsys, root)
    assert code == 1 and codes(found) == [("test_bom.py", 1, "SLK001")]
    assert "BOM" in found[0][3]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"# -*- coding: latin-1 -*-\nx = 1\n", "iso8859-1"),
        (b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\nx = 1\n", "iso8859-1"),
        (b"\n# coding=cp1252\nx = 1\n", "cp1252"),
        # a coding comment on line 2 counts only after a comment or blank first line
        (b"x = 1\n# coding: latin-1\n", "utf-8"),
        # on line 3 it never counts
        (b"#!/usr/bin/env python\n\n# coding: latin-1\n", "utf-8"),
        (b"# coding: utf-8-sig\nx = 1\n", "utf-8"),
        (b"# coding: utf8\nx = 1\n", "utf-8"),
    ],
)
def test_coding_line_is_found_where_python_finds_it(data: bytes, encoding: str) -> None:
    source = decode(data)
    assert source.encoding == encoding
    assert source.encode(source.text) == data  # a round trip loses nothing


def test_latin1_file_is_read_and_fixed_in_latin1(root: Path, capsys) -> None:
    original = (
        "# -*- coding: latin-1 -*-\n"
        "import pytest\n"
        "\n"
        "# données partagées: café, naïve, £\n"
        '@pytest.fixture(scope="session")\n'
        "def cfg():\n"
        '    return {"clé": "été"}  # ½ comment\n'
    ).encode("latin-1")
    write(root, {"test_latin.py": original})
    code, found, _ = diagnostics(capsys, root)
    assert code == 1 and codes(found) == [("test_latin.py", 7, "SLK101")]
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1 and "Rewriting" in err
    fixed = (root / "test_latin.py").read_bytes()
    assert fixed == original.replace(b'@pytest.fixture(scope="session")', b"@pytest.fixture")
    assert b"donn\xe9es partag\xe9es: caf\xe9, na\xefve, \xa3" in fixed
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", root)[0] == 0


def test_fix_that_needs_a_character_the_encoding_lacks_leaves_the_file(root: Path, capsys, monkeypatch) -> None:
    original = '# coding: ascii\nimport pytest\n\n@pytest.fixture(scope="session")\ndef cfg():\n    return {}\n'
    write(root, {"test_ascii.py": original})
    real = sessionlint.fixes.apply_ops
    monkeypatch.setattr(sessionlint.fixes, "apply_ops", lambda text, ops: real(text, ops) + "# \u00e9\n")
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert (root / "test_ascii.py").read_text() == original
    assert "not rewritten" in err and "ascii" in err


# syntax ---------------------------------------------------------------------------------------
def test_syntax_error_reports_the_parsers_message_and_the_run_goes_on(root: Path, capsys) -> None:
    write(root, {"test_broken.py": "import pytest\n\ndef test_x(:\n    pass\n", "test_ok.py": SHARED})
    code, found, _ = diagnostics(capsys, root)
    assert code == 1
    assert codes(found) == [("test_broken.py", 3, "SLK001"), ("test_ok.py", 6, "SLK101")]
    assert found[0][3].startswith("cannot parse file: invalid syntax")


def test_unterminated_string_and_bad_indentation(root: Path, capsys) -> None:
    write(root, {
        "test_string.py": 'x = "never closed\n',
        "test_indent.py": "def test_x():\npass\n",
        "test_tabs_spaces.py": "def test_x():\n\tif True:\n        pass\n",
    })  # fmt: skip
    code, found, _ = diagnostics(capsys, root)
    assert code == 1 and {c for _, _, c, _ in found} == {"SLK001"} and len(found) == 3
    messages = {name: message for name, _, _, message in found}
    assert "unterminated string" in messages["test_string.py"]
    assert "indent" in messages["test_indent.py"]


NEWER_SYNTAX = {
    # 3.14 template strings, and the concatenation libcst 1.9 fails on with CSTLogicError
    (3, 14): 'import pytest\n\n@pytest.fixture(scope="session")\ndef cfg():\n    name = "x"\n'
    '    greeting = t"hello {name}" t"!"\n    return {"users": []}\n',
    # 3.12 PEP 695
    (3, 12): 'import pytest\n\ntype Users = list[str]\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n\n'
    '@pytest.fixture(scope="session")\ndef cfg():\n    return {"users": []}\n',
}


@pytest.mark.parametrize("version", sorted(NEWER_SYNTAX), ids=lambda v: "py%d%d" % v)
def test_syntax_newer_than_the_running_python(root: Path, capsys, version: tuple[int, int]) -> None:
    write(root, {"test_new.py": NEWER_SYNTAX[version], "test_ok.py": SHARED.replace("cfg", "other")})
    code, found, err = diagnostics(capsys, root)
    assert code == 1
    if sys.version_info < version:
        assert codes(found)[0] == ("test_new.py", found[0][1], "SLK001")
        assert "newer than this Python" in found[0][3]
        assert ("test_ok.py", 6, "SLK101") in codes(found)
    else:
        assert ("test_new.py", NEWER_SYNTAX[version].count("\n"), "SLK101") in codes(found)
    # --fix goes on with the other file whatever libcst makes of this one
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1
    assert "@pytest.fixture\ndef other" in (root / "test_ok.py").read_text()
    assert "internal error" not in err


def test_crash_on_a_first_party_module_read_on_demand_is_reported(root: Path, capsys, monkeypatch) -> None:
    # the project's own modules are read only when a test imports them (SLK6xx summaries): a rule
    # that fails on one must say so, not leave an "All checks passed!" with a hole in it
    import sessionlint.rules.code_state

    write(root, {
        "app/__init__.py": "",
        "app/conf.py": "import functools, os\n\n@functools.lru_cache\ndef get():\n    return os.environ.get('X')\n",
        "test_conf.py": "from app.conf import get\n\ndef test_x(monkeypatch):\n    monkeypatch.setenv('X', '1')\n    assert get()\n",
    })  # fmt: skip
    real = sessionlint.rules.code_state.check_file

    def check_file(ctx) -> None:
        if ctx.path.endswith(os.path.join("app", "conf.py")):
            raise RuntimeError("boom")
        real(ctx)

    monkeypatch.setattr(sessionlint.rules.code_state, "check_file", check_file)
    code, _out, err = run(capsys, "-q", root)
    assert code == 2
    assert "conf.py: internal error: sessionlint.rules.code_state: RuntimeError: boom" in err


def test_libcst_logic_error_on_template_string_concatenation_is_a_fix_error() -> None:
    source = 'import pytest\n\n@pytest.fixture(scope="session")\ndef cfg():\n    x = t"a" t"b"\n    return {}\n'
    with pytest.raises(FixError, match="libcst cannot parse"):
        apply_ops(source, [FixOp("test_t.py", "drop-scope", (("func", "cfg"),))])


def test_libcst_failure_in_the_fix_path_leaves_the_file_and_fixes_the_others(root: Path, capsys, monkeypatch) -> None:
    # libcst 1.9 raises CSTLogicError (not ParserSyntaxError) on t-string concatenation; on a
    # Python where ast accepts the file, that is what the fix path meets: simulate it here.
    write(root, {"test_tstring.py": SHARED + "# marker\n", "test_ok.py": SHARED.replace("cfg", "other")})
    real = libcst.parse_module

    def parse_module(source, *args, **kwargs):
        if "# marker" in source:
            raise libcst.CSTLogicError("Logic error!")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", parse_module)
    before = (root / "test_tstring.py").read_bytes()
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1
    assert (root / "test_tstring.py").read_bytes() == before
    assert "test_tstring.py" in err and "CSTLogicError" in err
    assert "@pytest.fixture\ndef other" in (root / "test_ok.py").read_text()


# odd but valid files ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n\n",
        b"# only\n# comments\n",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"# comment\n",
        b"\r\n\r\n",
        b"def test_x():\n    pass",  # no trailing newline
        b"def test_x():\r    pass\r",  # old Mac line endings
        b"\x0cdef test_x():\n    pass\n",  # form feed
        b'"""docstring only"""\n',
    ],
    ids=["empty", "blank", "comments", "bom", "bom-comment", "crlf-blank", "no-eol", "cr", "formfeed", "docstring"],
)
def test_odd_but_valid_files_are_silent(root: Path, capsys, data: bytes) -> None:
    write(root, {"test_odd.py": data, "conftest.py": data})
    assert run(capsys, root) == (0, "All checks passed!\n", "")
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", root)[0] == 0
    assert (root / "test_odd.py").read_bytes() == data


LF_PROJECT = SHARED + "\n\n" + MUTATES


@pytest.mark.parametrize(
    ("name", "transform"),
    [
        ("crlf", lambda s: s.replace("\n", "\r\n")),
        ("cr", lambda s: s.replace("\n", "\r")),
        ("mixed", lambda s: s.replace("\n", "\r\n", 3)),
        ("tabs", lambda s: s.replace("    ", "\t")),
        ("bom", lambda s: "\ufeff" + s),
        ("bom-crlf", lambda s: "\ufeff" + s.replace("\n", "\r\n")),
    ],
)
def test_line_endings_tabs_and_bom_are_linted_alike_and_kept_by_fix(root: Path, capsys, name, transform) -> None:
    text = transform(LF_PROJECT)
    data = text.encode("utf-8")
    write(root, {"test_x.py": data})
    _, reference, _ = diagnostics(capsys, root)
    assert [(line, code) for _, line, code, _ in reference] == [(6, "SLK101"), (10, "SLK201")]
    code, _, _ = run(capsys, "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", root)
    assert code == 1
    fixed = (root / "test_x.py").read_bytes()
    expected = transform(LF_PROJECT.replace('@pytest.fixture(scope="session")', "@pytest.fixture"))
    assert fixed == expected.encode("utf-8"), (name, fixed)
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", root)[0] == 0


def test_old_mac_line_endings_find_what_lf_finds(root: Path, capsys) -> None:
    # regression: the rules' line patterns (^ with re.MULTILINE) do not see a lone "\r" as a
    # line break, so a CR-only file lost its SLK301 findings (found by test_hypothesis.py)
    source = (
        "import os\n\n\nclass TestGroup:\n    def test_m(self):\n        os.sep = '/'\n\n\n"
        "def test_x():\n    os.sep = '/'\n    os.environ['A'] = '1'\n"
    )
    write(root, {"test_lf.py": source, "test_cr.py": source.replace("\n", "\r")})
    code, found, _ = diagnostics(capsys, root)
    by_file = {name: [(line, c) for n, line, c, _ in found if n == name] for name in ("test_lf.py", "test_cr.py")}
    assert by_file["test_lf.py"] == [(6, "SLK301"), (10, "SLK301"), (11, "SLK301")]
    assert by_file["test_cr.py"] == by_file["test_lf.py"]
    run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    fixed_lf = (root / "test_lf.py").read_bytes()
    assert b"monkeypatch.setattr" in fixed_lf
    assert (root / "test_cr.py").read_bytes() == fixed_lf.replace(b"\n", b"\r")


@pytest.mark.parametrize("text", ["x = 1\ny = 2\r", "x = 1\r\ny = 2\r", "x = 1\ry = 2\r", "x = 1  # c\r"])
def test_apply_ops_keeps_a_final_lone_cr(text: str) -> None:
    # libcst drops a final lone "\r" (has_trailing_newline is False for it)
    assert apply_ops(text, []) == text


def test_inserted_lines_follow_the_files_line_endings(root: Path, capsys) -> None:
    source = (
        "import os\nimport pytest\n\n\ndef test_env():\n    os.environ['A'] = '1'\n\n\n"
        "@pytest.fixture(scope='module')\ndef handle(tmp_path_factory):\n"
        "    f = open(tmp_path_factory.mktemp('d') / 'x', 'w')\n    yield f\n"
    )
    write(root, {"test_x.py": source.replace("\n", "\r\n")})
    code, _, _ = run(capsys, "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", root)
    assert code == 1
    fixed = (root / "test_x.py").read_bytes()
    assert fixed != source.replace("\n", "\r\n").encode()
    assert b"f.close()" in fixed and b"monkeypatch.setenv" in fixed
    assert fixed.count(b"\n") == fixed.count(b"\r\n"), fixed  # no bare LF slipped in


# deep nesting, big files, long lines ------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n",
        "x = " + "[" * 1000 + "]" * 1000 + "\n",
        "".join("    " * i + "if x:\n" for i in range(150)) + "    " * 150 + "pass\n",
        "x = " + "+".join(["1"] * 100_000) + "\n",
        "x = y" + ".a" * 5000 + "\n",
        "x = -" + "-" * 100_000 + "1\n",
        "def test_x():\n    assert " + " and ".join(f"f{i}()" for i in range(20_000)) + "\n",
    ],
    ids=["parens", "lists", "ifs", "binop-chain", "attribute-chain", "unary", "boolop"],
)
def test_deep_nesting_is_slk001_or_silence_never_a_crash(root: Path, capsys, source: str) -> None:
    write(root, {"test_deep.py": source, "test_ok.py": SHARED})
    code, found, err = diagnostics(capsys, root)
    assert code == 1 and "internal error" not in err
    assert ("test_ok.py", 6, "SLK101") in codes(found)
    assert {c for name, _, c, _ in found if name == "test_deep.py"} <= {"SLK001"}


def test_deep_nesting_inside_fixtures_and_tests(root: Path, capsys) -> None:
    chain = "x" + ".a" * 2500  # deep, yet within what ast accepts
    source = (
        "import os\nimport pytest\n\n"
        f'@pytest.fixture(scope="session")\ndef cfg(x):\n    y = {chain}\n    y.append(1)\n'
        f'    os.environ["A"] = {chain}\n    yield {chain}\n    {chain}.close()\n\n'
        f"def test_a(cfg):\n    cfg.append({chain})\n    {chain}.append(1)\n    {chain} = 1\n"
    )
    write(root, {"test_deep.py": source})
    code, found, err = text_diagnostics(capsys, root)
    assert code == 1 and "internal error" not in err
    assert {c for _, _, c, _ in found} <= {"SLK001", "SLK201", "SLK301", "SLK101", "SLK102", "SLK103"}


def test_file_too_deep_for_libcst_is_not_fixed_and_the_others_are(root: Path, capsys) -> None:
    # ast takes this; libcst's code generation runs out of recursion
    deep = SHARED + "\n\ndef test_b():\n    y = x" + ".a" * 900 + "\n"
    write(root, {"test_deep.py": deep, "test_ok.py": SHARED.replace("cfg", "other")})
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1
    assert (root / "test_deep.py").read_text() == deep
    assert "test_deep.py" in err and "not fixed" in err and "internal error" not in err
    assert "@pytest.fixture\ndef other" in (root / "test_ok.py").read_text()


def test_twenty_thousand_tests_in_one_file(root: Path, capsys) -> None:
    parts = [SHARED]
    parts += [f"\n\ndef test_{i}(cfg):\n    assert cfg is not None\n" for i in range(20_000)]
    parts.append("\n\n" + MUTATES)
    write(root, {"test_big.py": "".join(parts)})
    # text output: the JSON reporter's fix edits hang on this file (difflib, see the report on reporters.py)
    code, found, _ = text_diagnostics(capsys, root)
    last = "".join(parts).count("\n")
    assert code == 1 and codes(found) == [("test_big.py", 6, "SLK101"), ("test_big.py", last, "SLK201")]
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1 and "Rewriting" in err
    assert (root / "test_big.py").read_text().startswith(SHARED.replace('(scope="session")', ""))


def test_very_long_lines(root: Path, capsys) -> None:
    long_list = "[" + ", ".join(str(i) for i in range(10_000)) + "]"  # libcst is slow on more
    source = f"X = {long_list}\nS = '{'a' * 2_000_000}'\n" + SHARED.replace("{\"users\": []}", long_list)
    write(root, {"test_long.py": source})
    code, found, _ = text_diagnostics(capsys, root)
    assert code == 1 and codes(found) == [("test_long.py", 8, "SLK101")]
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", root)[0] == 1
    assert (root / "test_long.py").read_text() == source.replace('(scope="session")', "")


# trees ---------------------------------------------------------------------------------------------------
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symlinks")


@needs_symlinks
def test_symlink_loops_end_and_linked_trees_are_walked_once(root: Path, capsys) -> None:
    write(root, {"tests/conftest.py": SHARED, "tests/sub/test_a.py": MUTATES, "elsewhere/test_ext.py": MUTATES})
    (root / "tests" / "sub" / "loop").symlink_to("..")  # back up: a loop
    (root / "tests" / "self").symlink_to(".")
    (root / "tests" / "sub_again").symlink_to("sub")  # inside the tree: already walked
    (root / "tests" / "ext").symlink_to(root / "elsewhere")  # outside the tree: walked, as pytest does
    (root / "tests" / "test_dangling.py").symlink_to("nowhere.py")
    (root / "tests" / "test_link_loop.py").symlink_to("test_link_loop.py")
    code, found, err = diagnostics(capsys, root / "tests")
    assert code == 1
    assert codes(found) == [("conftest.py", 6, "SLK101"), ("test_a.py", 2, "SLK201"), ("test_ext.py", 2, "SLK201")]
    files = discover([str(root / "tests")], Settings(root=str(root)))
    assert [Path(f).relative_to(root).as_posix() for f in files] == [
        "tests/conftest.py", "tests/ext/test_ext.py", "tests/sub/test_a.py",
    ]  # fmt: skip


def test_paths_given_twice_are_reported_once(root: Path, capsys) -> None:
    write(root, {"conftest.py": SHARED, "sub/test_a.py": MUTATES})
    test = root / "sub" / "test_a.py"
    args = [root, root / "sub", test, test, root / "sub" / ".." / "sub" / "test_a.py"]
    if hasattr(os, "symlink"):
        (root / "link.py").symlink_to(test)
        args.append(root / "link.py")
    code, found, _ = diagnostics(capsys, *args)
    assert code == 1 and codes(found) == [("conftest.py", 6, "SLK101"), ("test_a.py", 2, "SLK201")]


def test_path_that_does_not_exist_is_a_usage_error(root: Path, capsys) -> None:
    write(root, {"test_ok.py": SHARED})
    code, out, err = run(capsys, root / "test_ok.py", root / "missing.py")
    assert code == 2 and out == ""
    assert "missing.py: no such file or directory" in err


def test_file_outside_the_project_root(tmp_path: Path, capsys, monkeypatch) -> None:
    project = write(tmp_path / "project", {"pyproject.toml": "", "test_in.py": SHARED})
    outside = write(tmp_path / "outside", {"conftest.py": SHARED, "test_out.py": MUTATES})
    monkeypatch.chdir(project)
    code, found, _ = diagnostics(capsys, ".", outside / "test_out.py")
    assert code == 1
    # the outside test resolves 'cfg' from its own conftest.py
    assert codes(found) == [("test_in.py", 6, "SLK101"), ("test_out.py", 2, "SLK201")]
    assert "conftest.py:5" in found[1][3]


def _is_unreadable(path: Path) -> bool:
    try:
        if path.is_dir():
            os.listdir(path)
        else:
            path.read_bytes()
    except PermissionError:
        return True
    return False


def _deny(monkeypatch, denied: Path) -> None:
    """Make ``denied`` (a file or directory) unreadable to sessionlint, as chmod 000 would for a non-root user."""
    real_open, real_scandir = builtins.open, os.scandir

    def fake_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file) == str(denied):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def fake_scandir(path="."):
        if os.path.abspath(path) == str(denied):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "scandir", fake_scandir)


def test_unreadable_file_and_directory_simulated(root: Path, capsys, monkeypatch) -> None:
    write(root, {"test_secret.py": SHARED, "locked/test_inner.py": SHARED, "test_ok.py": SHARED})
    monkeypatch.chdir(root)
    _deny(monkeypatch, root / "test_secret.py")
    code, found, err = diagnostics(capsys, root)
    assert code == 1 and "internal error" not in err
    assert codes(found) == [
        ("test_inner.py", 6, "SLK101"), ("test_ok.py", 6, "SLK101"), ("test_secret.py", 1, "SLK001"),
    ]  # fmt: skip
    assert found[2][3] == "cannot read file: Permission denied"
    monkeypatch.undo()
    _deny(monkeypatch, root / "locked")
    code, found, err = diagnostics(capsys, root)
    assert code == 1
    assert codes(found) == [("locked", 1, "SLK001"), ("test_ok.py", 6, "SLK101"), ("test_secret.py", 6, "SLK101")]
    assert found[0][3] == "cannot read directory: Permission denied"
    # the unreadable directory given explicitly is reported too, not skipped in silence
    code, found, _ = diagnostics(capsys, root / "locked")
    assert code == 1 and codes(found) == [("locked", 1, "SLK001")]


def test_unreadable_file_is_not_cached(root: Path, capsys, monkeypatch) -> None:
    # chmod does not change mtime or size: a cached "cannot read" would outlive the fix
    write(root, {"test_secret.py": SHARED})
    cache = root / "cache"
    with monkeypatch.context() as patched:
        _deny(patched, root / "test_secret.py")
        code = main(["--cache-dir", str(cache), "-j", "1", str(root)])
        assert code == 1 and "SLK001" in capsys.readouterr().out
    code = main(["--cache-dir", str(cache), "-j", "1", str(root)])
    out = capsys.readouterr().out
    assert code == 1 and "SLK101" in out and "SLK001" not in out


def test_unreadable_for_real(root: Path, capsys) -> None:
    write(root, {"test_secret.py": SHARED, "locked/test_inner.py": SHARED, "test_ok.py": SHARED})
    secret, locked = root / "test_secret.py", root / "locked"
    secret.chmod(0)
    locked.chmod(0)
    try:
        if not (_is_unreadable(secret) and _is_unreadable(locked)):
            pytest.skip("permission bits do not stop reads here (running as root?); see the simulated test")
        code, found, err = diagnostics(capsys, root)
        assert code == 1 and "internal error" not in err
        assert codes(found) == [("locked", 1, "SLK001"), ("test_ok.py", 6, "SLK101"), ("test_secret.py", 1, "SLK001")]
    finally:
        locked.chmod(0o755)
        secret.chmod(0o644)


def test_invalid_toml_is_a_usage_error(root: Path, capsys) -> None:
    write(root, {"pyproject.toml": "[tool.sessionlint\nselect = [\n", "test_ok.py": SHARED})
    code, out, err = run(capsys, root)
    assert code == 2 and out == ""
    assert "pyproject.toml" in err and "invalid TOML" in err


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('select = "SLK101"', "tool.sessionlint.select"),
        ("ignore = [101]", "tool.sessionlint.ignore"),
        ('exclude = "build"', "tool.sessionlint.exclude"),
        ('per-file-ignores = ["x"]', "tool.sessionlint.per-file-ignores"),
        ('per-file-ignores = {"x" = 3}', "tool.sessionlint.per-file-ignores"),
        ('jobs = "2"', "tool.sessionlint.jobs"),
        ("jobs = 0", "tool.sessionlint.jobs"),
        ("cache-dir = 3", "tool.sessionlint.cache-dir"),
        ('extra-resources = {"a.b" = 1}', "tool.sessionlint.extra-resources"),
        ('immutable-fixtures = ["not a name"]', "tool.sessionlint.immutable-fixtures"),
    ],
)
def test_wrong_type_in_the_configuration_names_the_key(root: Path, capsys, table: str, key: str) -> None:
    write(root, {"pyproject.toml": f"[tool.sessionlint]\n{table}\n", "test_ok.py": SHARED})
    code, out, err = run(capsys, root)
    assert code == 2 and out == ""
    assert key in err and "internal error" not in err


def test_configuration_table_of_the_wrong_type(root: Path, capsys) -> None:
    write(root, {"pyproject.toml": "[tool]\nsessionlint = 3\n", "test_ok.py": SHARED})
    code, _, err = run(capsys, root)
    assert code == 2 and "tool.sessionlint" in err and "internal error" not in err


@pytest.mark.parametrize(
    "content",
    [
        b"[tool.pytest.ini_options]\npython_files = 3\n",
        b"tool = 3\n",
        b"\xff\xfe[tool.sessionlint]\n",
    ],
    ids=["python_files-int", "tool-int", "not-utf8"],
)
def test_malformed_pyproject_outside_the_sessionlint_table(root: Path, capsys, content: bytes) -> None:
    # regression: these were internal errors (TypeError, AttributeError, UnicodeDecodeError)
    write(root, {"pyproject.toml": content, "test_ok.py": SHARED})
    code, _, err = run(capsys, root)
    assert "internal error" not in err
    if content != b"tool = 3\n":  # a [tool] that is not a table holds no settings: ignored
        assert code == 2 and "pyproject.toml" in err


# pytest_plugins and fixture resolution ------------------------------------------------------------
def test_pytest_plugins_cycles_and_missing_modules(root: Path, capsys) -> None:
    write(root, {
        "conftest.py": "pytest_plugins = ['plugins.a', 'conftest', 'not_in_the_tree', 'also.missing.module']\n",
        "plugins/__init__.py": "",
        "plugins/a.py": "pytest_plugins = ['plugins.b']\n" + SHARED,
        "plugins/b.py": "pytest_plugins = ['plugins.a', 'plugins.b']\n",
        "sub/conftest.py": "pytest_plugins = ('conftest', 'sub.conftest')\nfrom sub.test_star import *\n",
        "sub/test_star.py": "from sub.conftest import *\n\n" + MUTATES,
        "test_a.py": MUTATES,
    })  # fmt: skip
    code, found, err = diagnostics(capsys, root)
    assert code == 1 and "internal error" not in err
    assert ("test_a.py", 2, "SLK201") in codes(found)
    assert ("test_star.py", 4, "SLK201") in codes(found)


def test_same_fixture_name_in_fifty_nested_directories(root: Path, capsys) -> None:
    files: dict[str, str | bytes] = {"conftest.py": SHARED}
    path, expected = "", [("conftest.py", 6, "SLK101"), ("test_level.py", 2, "SLK201")]
    files["test_level.py"] = MUTATES
    for i in range(50):
        path += f"d{i}/"
        session = i % 2 == 1
        scope = '(scope="session")' if session else ""
        files[f"{path}conftest.py"] = (
            f'import pytest\n\n@pytest.fixture{scope}\ndef cfg():\n    return {{"users": []}}\n'
        )
        files[f"{path}test_level.py"] = MUTATES
        if session:
            expected += [("conftest.py", 5, "SLK101"), ("test_level.py", 2, "SLK201")]
    write(root, files)
    code, found, err = diagnostics(capsys, root)
    assert code == 1 and "internal error" not in err
    assert sorted(codes(found)) == sorted(expected)


# writing ---------------------------------------------------------------------------------------------
def test_fix_keeps_the_file_mode(root: Path, capsys) -> None:
    write(root, {"test_x.py": SHARED})
    (root / "test_x.py").chmod(0o755)
    assert run(capsys, "--fix", "--exit-non-zero-on-fix", root)[0] == 1
    assert stat.S_IMODE((root / "test_x.py").stat().st_mode) == 0o755
    assert "@pytest.fixture\ndef cfg" in (root / "test_x.py").read_text()


@needs_symlinks
def test_write_atomic_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomic(str(link), b"new\n")
    assert link.is_symlink() and target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.py", "real.py"]


@pytest.mark.parametrize("failing", ["replace", "write", "fsync", "chmod"])
def test_failure_during_the_write_leaves_the_original(root: Path, capsys, monkeypatch, failing: str) -> None:
    write(root, {"test_x.py": SHARED, "test_y.py": SHARED.replace("cfg", "other")})
    before = snapshot(root)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, f):
                self.f = f

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def write(self, data):
                self.f.write(data[: len(data) // 2])  # half written, then the disk is full
                boom()

            def __getattr__(self, name):
                return getattr(self.f, name)

        monkeypatch.setattr(os, "fdopen", lambda *a, **k: Failing(real_fdopen(*a, **k)))
    else:
        monkeypatch.setattr(os, failing, boom)
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    monkeypatch.undo()
    assert snapshot(root) == before  # originals intact, no temporary file left behind
    assert "test_x.py: not rewritten" in err and "No space left on device" in err
    assert "Rewriting" not in err


def test_failed_write_is_not_a_success(root: Path, capsys, monkeypatch) -> None:
    write(root, {"test_x.py": SHARED})

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code != 0 and "not rewritten" in err


def test_fix_whose_result_does_not_parse_is_not_written(root: Path, capsys, monkeypatch) -> None:
    write(root, {"test_x.py": SHARED, "test_y.py": SHARED.replace("cfg", "other")})
    real = sessionlint.fixes.apply_ops

    def broken(text: str, ops):
        fixed = real(text, ops)
        return fixed + "def oops(:\n" if "def cfg" in text else fixed

    monkeypatch.setattr(sessionlint.fixes, "apply_ops", broken)
    before = (root / "test_x.py").read_bytes()
    code, out, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1
    assert (root / "test_x.py").read_bytes() == before
    assert "test_x.py: fix not applied (drop-scope), the result would not parse" in err
    assert "@pytest.fixture\ndef other" in (root / "test_y.py").read_text()
    assert "test_x.py:6:12: SLK101" in out  # still reported: nothing was fixed
    code, out, err = run(capsys, "--diff", root)
    assert "would not parse" in err and "test_x.py" not in out


def _register_rule(monkeypatch, fixer_kind: str, fixer, only: str | None = None) -> None:
    """A rule family's check_file that also reports SLK101 with a fix calling ``fixer_kind``."""
    monkeypatch.setitem(sessionlint.fixes.FIXERS, fixer_kind, fixer)
    real = sessionlint.rules.fixture_values.check_file

    def check_file(ctx) -> None:
        real(ctx)
        if only is None or ctx.path.endswith(only):
            ctx.facts.diagnostics.append(
                Diagnostic(ctx.path, 1, 1, "SLK101", "test rule", 1, 1,
                           Fix("safe", "test fix", (FixOp(ctx.path, fixer_kind, ()),)))
            )  # fmt: skip

    monkeypatch.setattr(sessionlint.rules.fixture_values, "check_file", check_file)


def test_crashing_fixer_is_an_internal_error_for_that_file(root: Path, capsys, monkeypatch) -> None:
    write(root, {"test_x.py": SHARED, "test_y.py": SHARED.replace("cfg", "other")})

    def crash(module, op):
        raise KeyError("bug in the fixer")

    _register_rule(monkeypatch, "robustness-crash", crash, only="test_x.py")
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 2
    assert "test_x.py: internal error in fixer robustness-crash: KeyError" in err and "please report" in err
    assert "@pytest.fixture\ndef other" in (root / "test_y.py").read_text()
    # the good fix in the same file still applies
    assert "@pytest.fixture\ndef cfg" in (root / "test_x.py").read_text()


def test_fix_loop_is_bounded(root: Path, capsys, monkeypatch) -> None:
    write(root, {"test_x.py": "x = 1\n"})

    def grow(module: libcst.Module, op) -> libcst.Module:
        return module.with_changes(body=[*module.body, libcst.parse_statement("x += 1\n")])

    _register_rule(monkeypatch, "robustness-grow", grow)
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1
    assert "did not settle after" in err
    assert (root / "test_x.py").read_text().count("x += 1") == sessionlint.engine.MAX_FIX_PASSES


def test_fix_never_touches_a_file_it_need_not_change(root: Path, capsys) -> None:
    write(root, {
        "test_clean.py": "def test_ok():\n    assert True\n",
        "test_unfixable.py": "import pytest\nimport sqlite3\n\n@pytest.fixture(scope='session')\n"
                             "def db():\n    return sqlite3.connect(':memory:')  # noqa: SLK104\n",
        "test_broken.py": "def test_x(:\n",
        "test_noqa.py": SHARED.replace('{"users": []}', '{"users": []}  # noqa: SLK101'),
        "test_fix.py": SHARED.replace("cfg", "other"),
    })  # fmt: skip
    old = 1_000_000_000
    for path in root.glob("*.py"):
        os.utime(path, (old, old))
    before = snapshot(root)
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", root)
    assert code == 1 and err.count("Rewriting") == 1
    for path in root.glob("*.py"):
        if path.name != "test_fix.py":
            assert path.stat().st_mtime == old, path.name
            assert path.read_bytes() == before[path.name]


def test_overlapping_fixes_settle_and_a_second_run_changes_nothing(root: Path, capsys) -> None:
    source = (
        "import os\nimport sys\n\nimport pytest\n\n\n"
        '@pytest.fixture(scope="session")\ndef cfg():\n    return {"users": []}\n\n\n'
        '@pytest.fixture(scope="module")\ndef handle(tmp_path_factory):\n'
        '    f = open(tmp_path_factory.mktemp("d") / "x.txt", "w")\n'
        '    os.environ["MODE"] = "test"\n    yield f\n\n\n'
        'def test_env(cfg, handle):\n    os.environ["A"] = "1"\n    sys.path.append("/tmp")\n'
        '    cfg["users"].append("alice")\n    handle.write("x")\n'
    )
    write(root, {"test_multi.py": source})
    code, found, _ = diagnostics(capsys, root)
    assert len(found) >= 5
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", root)
    assert code == 1 and "Rewriting" in err
    once = (root / "test_multi.py").read_bytes()
    compile(once, "test_multi.py", "exec")
    mtime = (root / "test_multi.py").stat().st_mtime_ns
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", root)
    assert "Rewriting" not in err
    assert (root / "test_multi.py").read_bytes() == once
    assert (root / "test_multi.py").stat().st_mtime_ns == mtime
    assert run(capsys, "--diff", "--unsafe-fixes", root)[1] == ""


# crashes inside rules ---------------------------------------------------------------------------------
def test_crash_inside_one_rule_on_one_file(root: Path, capsys, monkeypatch) -> None:
    write(root, {"test_boom.py": SHARED + "\n\n" + MUTATES, "test_ok.py": SHARED.replace("cfg", "other")})
    real = sessionlint.rules.fixture_values.check_file

    def check_file(ctx) -> None:
        if ctx.path.endswith("test_boom.py"):
            raise RuntimeError("boom")
        real(ctx)

    monkeypatch.setattr(sessionlint.rules.fixture_values, "check_file", check_file)
    code, out, err = run(capsys, root)
    assert code == 2
    assert "test_boom.py: internal error: sessionlint.rules.fixture_values: RuntimeError: boom" in err
    assert "please report" in err
    assert "test_ok.py:6:12: SLK101" in out  # the rest of the run went on
    # --fix goes on too, and still says so
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 2 and "test_boom.py: internal error" in err
    assert "@pytest.fixture\ndef other" in (root / "test_ok.py").read_text()


def test_crash_inside_a_project_rule(root: Path, capsys, monkeypatch) -> None:
    write(root, {"test_x.py": SHARED + "\n\n" + MUTATES, "test_broken.py": "def test_x(:\n"})

    def check_project(project, settings):
        raise ValueError("boom")

    monkeypatch.setattr(sessionlint.rules.fixture_values, "check_project", check_project)
    code, out, err = run(capsys, root)
    assert code == 2
    assert "internal error in sessionlint.rules.fixture_values: ValueError: boom" in err
    assert "test_broken.py:1:12: SLK001" in out  # the rest of the run still reports


@pytest.mark.parametrize("failure", ["no-sem-open", "worker-killed"])
def test_process_pool_failure_falls_back_to_one_process(root: Path, capsys, monkeypatch, failure: str) -> None:
    from concurrent.futures.process import BrokenProcessPool

    files: dict[str, str | bytes] = {f"test_{i}.py": SHARED.replace("cfg", f"cfg{i}") for i in range(6)}
    write(root, files)

    class Pool:
        def __init__(self, *args, **kwargs):
            if failure == "no-sem-open":
                raise OSError(38, "Function not implemented")  # as on hosts without /dev/shm

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def shutdown(self, wait=True, cancel_futures=False):
            pass

        def map(self, fn, *iterables):
            yield fn(*(next(iter(it)) for it in iterables))  # the first chunk, then the worker dies
            raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(sessionlint.engine, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(sessionlint.engine, "MIN_FILES_FOR_POOL", 2)
    code = main(["--no-cache", "-j", "2", "--format", "json", str(root)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err and "internal error" not in err
    assert sorted(Path(d["filename"]).name for d in json.loads(out)) == sorted(files)


# warnings -------------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("error")
def test_syntax_warnings_neither_print_nor_fail_under_w_error(root: Path, capsys) -> None:
    source = (
        'import pytest\n\n@pytest.fixture(scope="session")\ndef cfg():\n'
        '    return {"re": "\\d+"}\n\ndef test_is():\n    assert 1 is 1\n'
    )
    write(root, {"test_w.py": source})
    code, found, err = diagnostics(capsys, root)
    assert err == ""
    assert codes(found) == [("test_w.py", 5, "SLK101")]
    code, _, err = run(capsys, "--fix", "--exit-non-zero-on-fix", root)
    assert code == 1 and "would not parse" not in err
    assert "@pytest.fixture\ndef cfg" in (root / "test_w.py").read_text()


# stdin ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fix", [False, True])
def test_stdin_binary_is_an_error_and_the_buffer_comes_back(root: Path, capsysbinary, monkeypatch, fix: bool) -> None:
    import io

    data = b"\xff\xfe\x00binary"

    class Stdin:
        buffer = io.BytesIO(data)

    monkeypatch.setattr(sys, "stdin", Stdin)
    args = ["-", "--stdin-filename", str(root / "test_x.py")] + (["--fix"] if fix else [])
    code = main(["--no-cache", *args])
    captured = capsysbinary.readouterr()
    assert code == 2 and b"Traceback" not in captured.err and b"not valid utf-8" in captured.err
    assert captured.out == (data if fix else b"")  # an editor gets its buffer back


def test_engine_directly_never_raises_on_a_directory_of_junk(tmp_path: Path) -> None:
    junk = {
        "test_bin.py": bytes(range(256)),
        "test_deep.py": ("x = " + "(" * 500 + ")" * 500 + "\n").encode(),
        "conftest.py": b"pytest_plugins = [1, None, 'x' * 1000, '...', '']\n",
        "test_weird.py": b"import pytest\n@pytest.fixture(scope=1 + 2, params=[[]], name=3)\ndef f(request):\n"
        b"    return request.param\n@pytest.fixture(scope=lambda **k: 'session')\ndef g(): return []\n",
    }
    write(tmp_path, junk)
    engine = Engine(Settings(root=str(tmp_path)))
    result = engine.lint([str(tmp_path)])
    assert result.errors == []
    outcome = engine.fix([str(tmp_path)], unsafe=True)
    assert outcome.result.errors == []
    for text in outcome.texts.values():
        compile(text, "<fixed>", "exec")


def test_decode_errors_are_source_errors() -> None:
    for data in (b"\xff", b"# coding: nope\n", b"\xef\xbb\xbf# coding: latin-1\n", b"a\x00"):
        with pytest.raises(SourceError):
            decode(data)
