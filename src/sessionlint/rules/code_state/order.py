"""Where in a test things happen, for SLK601/SLK602: per test file, cached with the facts.

- ``clears``: the lines of a test's own ``X.cache_clear()`` calls, by the qualified name cleared,
  for module-level test functions and methods of test classes with no base and no setup or
  teardown method (none when the module's xunit setup or teardown clears a cache). A test that clears a cache *before* it patches and calls the memoized function
  (``get_settings.cache_clear(); monkeypatch.setenv(...); get_settings()``) leaves the cache
  holding the patched result: only a clear after the call protects later tests.
- ``isolated``: tests that run in another process (``@pytest.mark.forked``, a decorator named
  for a subprocess or a fork, ``@run_in_subprocess``): nothing they cache or import is seen by
  later tests.

Kept apart from ``units.py`` and stored under its own key; only functions whose source
mentions ``cache_clear`` are walked (the file's text is searched first).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from sessionlint.context import FileContext
from sessionlint.rules.code_state.units import cleared
from sessionlint.syntax import iter_nodes

KEY = "SLK6.order"
_ISOLATING = ("subprocess", "fork")


@dataclass
class OrderRecord:
    clears: dict[str, dict[str, tuple[int, ...]]] = field(default_factory=dict)  # test -> name -> lines
    isolated: frozenset[str] = frozenset()


def record_order(ctx: FileContext) -> OrderRecord | None:
    record = OrderRecord()
    isolated: set[str] = set()
    # only module-level test functions: a test class's setUp/tearDown or setup_method (perhaps
    # inherited from a mixin in another file) may clear the cache around every test, as may
    # xunit setup/teardown functions of the module
    mentions_clear = "cache_clear" in ctx.text and not _xunit_clears(ctx)
    plain = _plain_classes(ctx.tree) if mentions_clear else set()
    for fn in ctx.functions:
        if fn.test is None and not (fn.fixture is None and fn.node.name.startswith("test")):
            continue
        if any(_isolating(ctx, dec) for dec in fn.node.decorator_list):
            isolated.add(fn.qualname)
        if not mentions_clear or (fn.cls is not None and fn.cls not in plain):
            continue
        start, end = fn.node.lineno, fn.node.end_lineno or fn.node.lineno
        if not any("cache_clear" in line for line in ctx.lines[start - 1 : end]):
            continue
        lines: dict[str, list[int]] = {}
        for node in iter_nodes(fn.node):
            if isinstance(node, ast.Attribute) and node.attr == "cache_clear":
                lines.setdefault(cleared(ctx, node), []).append(node.lineno)
        if lines:
            record.clears[fn.qualname] = {name: tuple(sorted(found)) for name, found in lines.items()}
    record.isolated = frozenset(isolated)
    return record if record.clears or record.isolated else None


_CLASS_SETUP = frozenset({
    "setup_method", "teardown_method", "setup_class", "teardown_class", "setUp", "tearDown", "setUpClass",
    "tearDownClass", "setup", "teardown", "__init__",
})  # fmt: skip


def _plain_classes(tree: ast.Module) -> set[str]:
    """Module-level test classes with no base and no xunit setup or teardown method: nothing runs
    around their tests but fixtures, so the order of a test's own clears is what it looks like."""
    return {
        stmt.name for stmt in tree.body
        if isinstance(stmt, ast.ClassDef) and not stmt.bases and not stmt.keywords and not any(
            isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.name in _CLASS_SETUP
            for inner in stmt.body
        )
    }  # fmt: skip


_XUNIT = frozenset({"setup_function", "teardown_function", "setup_module", "teardown_module", "setup", "teardown"})


def _xunit_clears(ctx: FileContext) -> bool:
    for name, node in ctx.module_functions.items():
        if name in _XUNIT:
            start, end = node.lineno, node.end_lineno or node.lineno
            if any("cache_clear" in line for line in ctx.lines[start - 1 : end]):
                return True
    return False


def _isolating(ctx: FileContext, dec: ast.expr) -> bool:
    target = dec.func if isinstance(dec, ast.Call) else dec
    name = (ctx.qualify(target) or "").lower()
    return name.endswith("mark.forked") or any(word in name.rsplit(".", 1)[-1] for word in _ISOLATING)
