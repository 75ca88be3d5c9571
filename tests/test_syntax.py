"""The shared ``ast`` helpers (sessionlint.syntax) the families use instead of their own copies."""

from __future__ import annotations

import ast
import os

from sessionlint import syntax

SOURCE = '''
def fixture():
    def nested():
        yield "inner"
    data = [x for x in range(3)]
    yield data
    yield from other()
'''


def _fn() -> ast.FunctionDef:
    fn = ast.parse(SOURCE).body[0]
    assert isinstance(fn, ast.FunctionDef)
    return fn


def test_own_nodes_skip_nested_scopes_and_keep_source_order() -> None:
    nodes = list(syntax.own_nodes(_fn()))
    assert not any(isinstance(n, ast.Constant) and n.value == "inner" for n in nodes)
    assert any(isinstance(n, ast.FunctionDef) and n.name == "nested" for n in nodes)
    lines = [n.lineno for n in nodes if isinstance(n, ast.stmt)]
    assert lines == sorted(lines)


def test_walk_own_includes_the_start_node_and_skips_nested_functions() -> None:
    fn = _fn()
    nodes = list(syntax.walk_own(fn))
    assert nodes[0] is fn
    assert any(isinstance(n, ast.ListComp) for n in nodes)
    assert not any(isinstance(n, ast.Constant) and n.value == "inner" for n in nodes)


def test_first_yield_is_the_fixtures_own_first_yield() -> None:
    found = syntax.first_yield(_fn())
    assert isinstance(found, ast.Yield)
    assert found.lineno == 6


def test_names_constants_and_text() -> None:
    expr = ast.parse("os.environ.copy", mode="eval").body
    assert syntax.dotted_parts(expr) == ("os", ["environ", "copy"])
    assert syntax.dotted_parts(ast.parse("f().x", mode="eval").body) is None
    assert syntax.const_str(ast.Constant(b"\xe9")) == "\xe9"
    assert syntax.const_str(ast.Constant(1)) is None
    assert list(syntax.strings(ast.parse("['a', 1, 'b']", mode="eval").body)) == ["a", "b"]
    assert syntax.short(ast.parse("x" * 80, mode="eval").body, 20) == "x" * 17 + "..."
    assert syntax.position(ast.parse("(\n  y)", mode="eval").body) == (2, 2)


def test_display_path_is_relative_below_the_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert syntax.display_path(str(tmp_path / "a" / "conftest.py")) == os.path.join("a", "conftest.py")
    outside = str(tmp_path.parent / "elsewhere.py")
    assert syntax.display_path(outside) == outside
    assert syntax.display_path(None) == "?"
    assert syntax.display_path("-") == "-"
