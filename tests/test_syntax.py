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


_SINGLETONS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.alias)


def test_iter_nodes_visits_what_ast_walk_does_but_the_singletons_parents_first() -> None:
    source = (
        "import os, sys as system\nfrom a import b\n"
        "@deco(x=1)\nasync def f(a: int = 2, *b, c, **d) -> None:\n"
        "    global g\n    x = {**a, 'k': [i async for i in b if i]}\n    x['k'] += -1\n"
        "    match x:\n        case {'k': [1, *rest], **kw} | C(y=None) if not kw: del x\n        case None: pass\n"
        "    try:\n        yield f'{x!r:>{a}}'\n    except* E as e:\n        raise e from None\n"
        "    with open(a) as fh, lambda: (yield): await fh\n"
    )
    tree = ast.parse(source)
    nodes = list(syntax.iter_nodes(tree))
    assert sorted(map(id, nodes)) == sorted(id(n) for n in ast.walk(tree) if not isinstance(n, _SINGLETONS))
    seen: set[int] = set()
    for node in nodes:  # every child comes after its parent
        seen.add(id(node))
        for child in ast.iter_child_nodes(node):
            assert id(child) not in seen
    calls = [n.func.id for n in syntax.iter_nodes(tree.body[2]) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert calls == ["open", "deco"]  # statements in source order, then the decorators (ast's field order)


def test_lines_are_numbered_as_python_numbers_them() -> None:
    from sessionlint.context import FileContext
    from sessionlint.model import FileFacts
    from sessionlint.sources import split_lines

    text = "x = 1\x0c  # a form feed is whitespace to Python\ny = {\r\n  'k': [1,\r 2]}\nz = 'é' + f(a, b)\n"
    tree = ast.parse(text)
    lines = split_lines(text)
    assert len(lines) == 5 and lines[1] == "y = {" and lines[4] == "z = 'é' + f(a, b)"
    assert split_lines("") == [] and split_lines("a") == ["a"] and split_lines("a\n\n") == ["a", ""]
    ctx = FileContext("t.py", text, lines, tree, FileFacts("t.py"), None)
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            assert ctx.segment(node) == ast.get_source_segment(text, node), ast.dump(node)


def test_from_import_names_what_the_statement_binds() -> None:
    from sessionlint.extract import build_context

    cases = {"from . import config": ".config", "from .. import config": "..config",
             "from .app import config": ".app.config", "from app.settings import config": "app.settings.config"}  # fmt: skip
    for source, expected in cases.items():
        node = ast.parse(source).body[0]
        assert isinstance(node, ast.ImportFrom)
        assert syntax.from_import(node, "config") == expected
        ctx = build_context("/p/pkg/test_a.py", source + "\n", None)
        assert ctx is not None and ctx.aliases["config"] == expected  # the alias table agrees


def test_statements_yields_every_statement_in_source_order() -> None:
    source = (
        "import os\n"
        "class A:\n    x = 1\n    def f(self):\n        for i in y:\n            pass\n        else:\n            z = 2\n"
        "try:\n    a = 1\nexcept E:\n    b = 2\nelse:\n    c = 3\nfinally:\n    d = 4\n"
        "match v:\n    case 1:\n        e = 5\n"
        "async def g():\n    async with m as n:\n        while q:\n            break\n"
        "if p:\n    lambda: 1\n"
    )
    tree = ast.parse(source)
    found = list(syntax.statements(tree.body))
    expected = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
    assert sorted(map(id, found)) == sorted(map(id, expected))
    assert [n.lineno for n in found] == sorted(n.lineno for n in found)
