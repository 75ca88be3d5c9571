"""Rough counts and candidate misses for the SLK6xx real-world batches (bench/code_state_apps2.md).

Not part of sessionlint: a reading aid. One ``ast`` parse per file of an unpacked sdist.

    python bench/code_state_survey.py counts DIR...      # one table row per project
    python bench/code_state_survey.py candidates DIR...  # places to read for misses

A *test file* is ``test_*.py`` or ``*_test.py``. A *non-test module* is any other ``.py`` file
outside a ``tests``/``test``/``testing``/``t`` directory that is not a ``conftest.py``.

counts (per project): py files, test files, and non-test modules with
  memo      a function decorated ``lru_cache``/``cache`` (any spelling)
  memodict  a module-level dict/list/set display (or ``dict()``...) whose name holds "cache"/"memo"
  lazy      a function with ``global X`` where ``X = None`` at module level (a lazy init)
  single    the names ``_instance``/``_instances``/``_singleton``
  reg       a function whose name holds "register" writing into a module-level container
  fill      any module-level function or classmethod writing into a module-level container
            (or into an upper-case name imported from another module): registries and memo dicts

candidates (per test function), to be read by hand:
  PATCH+MEMO  patches the environment or an attribute and names a memoized or lazy-global function
  TESTREG     calls a "fill" function (``undo=`` whether the body mentions an undo word)
  IMP         patches the environment or cwd and imports inside the body
"""

from __future__ import annotations

import ast
import os
import re
import sys

_CONTAINER_CALLS = ("dict", "list", "set", "OrderedDict", "defaultdict", "WeakValueDictionary", "WeakKeyDictionary")
_MUTATORS = ("append", "add", "update", "setdefault", "insert", "extend")
_PATCH = re.compile(
    r"setenv|delenv|patch\.dict\(\s*(os\.)?environ|patch\.dict\(\s*['\"]os\.environ|os\.environ\[|environ\.update|setattr"
)
_PATCH_OR_CWD = re.compile(_PATCH.pattern.replace("|setattr", "") + "|chdir")
_UNDO = re.compile(r"unregister|deregister|\bdel\b|\.pop\(|\.remove\(|\.clear\(|monkeypatch|patch\.dict|finally|restore|reset")


def is_test_path(rel: str) -> bool:
    parts = rel.split(os.sep)
    base = parts[-1]
    return (
        base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py"
        or any(p in ("tests", "test", "testing", "t") for p in parts[:-1])
    )  # fmt: skip


def _name(node: ast.expr) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_none(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is None


def _files(root: str):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", "__pycache__", "node_modules")]
        for filename in filenames:
            if filename.endswith(".py"):
                path = os.path.join(dirpath, filename)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                try:
                    tree = ast.parse(text)
                except (SyntaxError, ValueError):
                    tree = None
                yield os.path.relpath(path, root), text, tree


def _containers(tree: ast.Module) -> tuple[dict[str, ast.expr], set[str], set[str]]:
    """Module-level values, the names bound to containers, and upper-case names imported."""
    values: dict[str, ast.expr] = {}
    imported: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                if isinstance(target, ast.Name):
                    values[target.id] = stmt.value
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name.lstrip("_").isupper() or "REGISTR" in alias.name.upper():
                    imported.add(alias.asname or alias.name)
    containers = {
        name for name, value in values.items()
        if isinstance(value, (ast.Dict, ast.List, ast.Set)) or (isinstance(value, ast.Call) and _name(value) in _CONTAINER_CALLS)
    }  # fmt: skip
    return values, containers, imported


def _writes_into(node: ast.AST, pool: set[str]) -> int | None:
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr in _MUTATORS
            and isinstance(inner.func.value, ast.Name) and inner.func.value.id in pool
        ):  # fmt: skip
            return inner.lineno
        if isinstance(inner, (ast.Assign, ast.AugAssign)):
            for target in inner.targets if isinstance(inner, ast.Assign) else [inner.target]:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in pool:
                    return inner.lineno
    return None


def survey(root: str) -> tuple[dict[str, int], list[str]]:
    counts = dict.fromkeys(("py", "tests", "memo", "memodict", "lazy", "single", "reg", "fill"), 0)
    found: dict[str, set[str]] = {k: set() for k in counts}
    memo: set[str] = set()
    lazy: set[str] = set()
    fill: set[str] = set()
    tests = []
    for rel, text, tree in _files(root):
        counts["py"] += 1
        base = os.path.basename(rel)
        if base.startswith("test_") or base.endswith("_test.py"):
            counts["tests"] += 1
        if tree is None:
            continue
        if is_test_path(rel):
            tests.append((rel, text, tree))
            continue
        values, containers, imported = _containers(tree)
        if any("cache" in n.lower() or "memo" in n.lower() for n in containers):
            found["memodict"].add(rel)
        defs = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for cls in (s for s in tree.body if isinstance(s, ast.ClassDef)):
            defs += [
                s for s in cls.body
                if isinstance(s, ast.FunctionDef) and any(_name(d) == "classmethod" for d in s.decorator_list)
            ]  # fmt: skip
        for node in defs:
            if _writes_into(node, containers | imported) is not None:
                found["fill"].add(rel)
                fill.add(node.name)
                if "register" in node.name.lower() and _writes_into(node, containers) is not None:
                    found["reg"].add(rel)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(_name(d) in ("lru_cache", "cache") for d in node.decorator_list):
                    found["memo"].add(rel)
                    memo.add(node.name)
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Global) and any(_is_none(values.get(g)) for g in inner.names):
                        found["lazy"].add(rel)
                        lazy.add(node.name)
            elif isinstance(node, (ast.Attribute, ast.Name)):
                if (node.attr if isinstance(node, ast.Attribute) else node.id) in ("_instance", "_instances", "_singleton"):
                    found["single"].add(rel)
    for key, rels in found.items():
        if key not in ("py", "tests"):
            counts[key] = len(rels)
    lines: list[str] = []
    for rel, text, tree in tests:
        source = text.splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test"):
                continue
            body = "\n".join(source[node.lineno - 1 : node.end_lineno])
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            where = f"{rel}:{node.lineno} {node.name}"
            if _PATCH.search(body) and names & (memo | lazy):
                lines.append(f"PATCH+MEMO {where} {sorted(names & (memo | lazy))} clear={'cache_clear' in body}")
            called = {_name(n) for n in ast.walk(node) if isinstance(n, ast.Call)} & fill
            if called:
                lines.append(f"TESTREG {where} {sorted(called)} undo={bool(_UNDO.search(body))}")
            imports = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
            dynamic = "import_module" in body or "__import__" in body
            if _PATCH_OR_CWD.search(body) and (imports or dynamic):
                lines.append(f"IMP {where} reload={'reload(' in body or 'sys.modules' in body}")
    return counts, lines


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("counts", "candidates"):
        print("usage: code_state_survey.py counts|candidates DIR...", file=sys.stderr)
        return 2
    for root in argv[1:]:
        if not os.path.isdir(root):
            print(f"not a directory: {root}", file=sys.stderr)
            return 2
        counts, lines = survey(root)
        name = os.path.basename(root.rstrip("/"))
        if argv[0] == "counts":
            print(name, *counts.values(), sep="\t")
        else:
            for line in lines:
                print(name, line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
