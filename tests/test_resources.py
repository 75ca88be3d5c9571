"""SLK103 missing-teardown and SLK104 resource-returned: detection, idioms, aliases, fixes, the table."""

from __future__ import annotations

import textwrap

import pytest

from helpers import diags, fix, lines, lint
from sessionlint import resource_table
from sessionlint.cli import main
from sessionlint.config import Settings
from sessionlint.fixes import apply_ops
from sessionlint.model import FixOp


def module(source: str) -> dict[str, str]:
    return {"test_example.py": textwrap.dedent(source)}


# SLK103 detection ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("imports", "acquire", "what"),
    [
        ("", 'open(tmp_path / "log.txt", "a")', "a file (open())"),
        ("import sqlite3", 'sqlite3.connect(tmp_path / "db")', "a sqlite3 connection (sqlite3.connect())"),
        ("import sqlite3 as sq", 'sq.connect(tmp_path / "db")', "a sqlite3 connection (sqlite3.connect())"),
        ("from sqlite3 import connect", 'connect(tmp_path / "db")', "(sqlite3.connect())"),
        ("import psycopg2", 'psycopg2.connect("dbname=test")', "(psycopg2.connect())"),
        ("import pymysql", "pymysql.connect()", "(pymysql.connect())"),
        ("from sqlalchemy import create_engine", 'create_engine("sqlite://")', "a SQLAlchemy engine"),
        ("import subprocess", 'subprocess.Popen(["sleep", "9"])', "a subprocess (subprocess.Popen())"),
        ("from subprocess import Popen", 'Popen(["sleep", "9"])', "(subprocess.Popen())"),
        ("import tempfile", "tempfile.mkdtemp()", "a temporary directory (tempfile.mkdtemp())"),
        ("from tempfile import mkdtemp", "mkdtemp()", "(tempfile.mkdtemp())"),
        ("import tempfile", "tempfile.NamedTemporaryFile()", "a temporary file"),
        ("import tempfile", "tempfile.TemporaryDirectory()", "a temporary directory"),
        ("import socket", "socket.socket()", "a socket (socket.socket())"),
        ("from concurrent.futures import ThreadPoolExecutor", "ThreadPoolExecutor()", "an executor"),
        ("import concurrent.futures as cf", "cf.ProcessPoolExecutor()", "an executor"),
        ("import requests", "requests.Session()", "an HTTP client (requests.Session())"),
        ("import httpx", "httpx.Client()", "an HTTP client (httpx.Client())"),
        ("import asyncio", "asyncio.new_event_loop()", "an event loop"),
    ],
)
def test_slk103_reports_each_resource_of_the_table(project, imports: str, acquire: str, what: str) -> None:
    root = project(
        {"conftest.py": f"{imports}\nimport pytest\n\n\n@pytest.fixture\ndef res(tmp_path):\n"
         f"    thing = {acquire}\n    yield thing\n"}  # fmt: skip
    )
    [(line, col, message)] = diags(root, "SLK103")
    assert (line, col) == (7, 13)
    assert what in message
    assert "function-scoped fixture 'res'" in message
    assert "as 'thing'" in message and "after yield" in message
    assert "\n" not in message and not message.endswith(".")


def test_slk103_patcher_started_and_never_stopped(project) -> None:
    root = project(
        module(
            """\
            from unittest.mock import patch

            import pytest


            @pytest.fixture
            def clock():
                patcher = patch.object(Clock, "now", return_value=0)
                patcher.start()
                yield


            @pytest.fixture
            def no_handle():
                patch("os.getcwd").start()
                yield
            """
        )
    )
    found = diags(root, "SLK103")
    assert [(line, col) for line, col, _ in found] == [(9, 5), (15, 5)]
    assert "patcher.stop()" in found[0][2]
    assert "starts a patch (unittest.mock.patch(...).start()) that nothing stops" in found[1][2]


def test_slk103_third_party_mock_alias(project) -> None:
    source = 'import mock\nimport pytest\n\n\n@pytest.fixture\ndef p():\n    mock.patch("a.b").start()\n    yield\n'
    assert lines(project({"conftest.py": source}), "SLK103") == [7]


def test_slk103_any_scope_and_class_fixtures(project) -> None:
    root = project(
        module(
            """\
            import sqlite3

            import pytest


            class TestUsers:
                @pytest.fixture(scope="class")
                def db(self):
                    conn = sqlite3.connect(":memory:")
                    yield conn

                def test_x(self, db):
                    assert db
            """
        )
    )
    [(line, _col, message)] = diags(root, "SLK103")
    assert line == 9
    assert "class-scoped fixture 'db'" in message


def test_slk103_async_fixture_awaited_acquisition(project) -> None:
    root = project(
        module(
            """\
            import aiosqlite
            import pytest


            @pytest.fixture
            async def db():
                conn = await aiosqlite.connect(":memory:")
                yield conn
            """
        )
    )
    [(line, _col, message)] = diags(root, "SLK103")
    assert line == 7
    assert "await conn.close()" in message


def test_slk103_extra_resources_from_settings(project) -> None:
    source = (
        "import pytest\nfrom mylib import connect, make_dir\n\n\n@pytest.fixture\ndef a():\n    c = connect()\n"
        "    yield c\n\n\n@pytest.fixture\ndef b():\n    d = make_dir()\n    yield d\n"
    )
    root = project({"conftest.py": source})
    assert lines(root, "SLK103") == []
    settings = Settings(root=str(root), extra_resources=(("mylib.connect", "disconnect"), ("make_dir", "mylib.rm")))
    found = diags(root, "SLK103", settings)
    assert [line for line, _c, _m in found] == [7, 13]
    assert "c.disconnect()" in found[0][2]
    assert "mylib.rm(d)" in found[1][2]


def test_slk103_extra_resources_from_pyproject(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sessionlint]\nextra-resources = {"mylib.Client" = "shutdown"}\n')
    (tmp_path / "conftest.py").write_text(
        "import mylib\nimport pytest\n\n\n@pytest.fixture\ndef client():\n    c = mylib.Client()\n    yield c\n"
    )
    assert main(["--no-cache", "--select", "SLK103", "--fix", "--exit-non-zero-on-fix", str(tmp_path)]) == 1
    assert (tmp_path / "conftest.py").read_text().endswith("    yield c\n    c.shutdown()\n")


def test_slk103_noqa(project) -> None:
    source = (
        'import pytest\n\n\n@pytest.fixture\ndef f(tmp_path):\n    f = open(tmp_path / "x")  # noqa: SLK103\n'
        "    yield f\n"
    )
    assert lines(project({"conftest.py": source}), "SLK103") == []


# SLK103 silence ------------------------------------------------------------------------------
IDIOMS = {
    "with block": 'with open(p) as f:\n        yield f',
    "try/finally": "conn = sqlite3.connect(p)\n    try:\n        yield conn\n    finally:\n        conn.close()",
    "release after yield": "conn = sqlite3.connect(p)\n    yield conn\n    conn.close()",
    "release before yield": "f = open(p)\n    data = f.read()\n    f.close()\n    yield data",
    "alias released": "conn = sqlite3.connect(p)\n    db = conn\n    yield db\n    db.close()",
    "with name": "f = open(p)\n    with f:\n        yield f",
    "contextlib.closing": "conn = sqlite3.connect(p)\n    with contextlib.closing(conn):\n        yield conn",
    "enter_context": "with contextlib.ExitStack() as stack:\n        f = stack.enter_context(open(p))\n        yield f",
    "enter_context of name": "f = open(p)\n    stack = contextlib.ExitStack()\n    stack.enter_context(f)\n"
    "    yield f\n    stack.close()",
    "addfinalizer": "proc = subprocess.Popen(['x'])\n    request.addfinalizer(proc.kill)\n    yield proc",
    "addfinalizer closure": "d = tempfile.mkdtemp()\n    request.addfinalizer(lambda: shutil.rmtree(d))\n    yield d",
    "nested cleanup def": "d = tempfile.mkdtemp()\n\n    def done():\n        shutil.rmtree(d)\n\n"
    "    request.addfinalizer(done)\n    yield d",
    "yield from": "conn = sqlite3.connect(p)\n    yield from serve(conn)",
    "helper after yield": "proc = subprocess.Popen(['x'])\n    yield proc\n    kill_tree(proc.pid)",
    "owner keeps it": "conn = sqlite3.connect(p)\n    repo = Repository(conn)\n    yield repo\n    repo.close()",
    "stored on an object": "f = open(p)\n    request.node.log = f\n    yield",
    "stored in a container": "f = open(p)\n    files = [f]\n    yield files",
    "rebound": "f = open(p)\n    f = wrap(f)\n    yield f",
    "global": "global CONN\n    CONN = sqlite3.connect(p)\n    yield CONN",
    "rmtree": "d = tempfile.mkdtemp()\n    yield d\n    shutil.rmtree(d)",
    "os.rmdir": "d = tempfile.mkdtemp()\n    yield d\n    os.rmdir(d)",
    "popen wait": "proc = subprocess.Popen(['true'])\n    yield proc\n    proc.wait()",
    "popen context": "with subprocess.Popen(['true']) as proc:\n        yield proc",
    "patcher stopped": "p = mock.patch('a.b')\n    yield p.start()\n    p.stop()",
    "stopall": "mock.patch('a.b').start()\n    yield\n    mock.patch.stopall()",
    "stopall finalizer": "mock.patch('a.b').start()\n    request.addfinalizer(mock.patch.stopall)\n    yield",
    "patch as context": "with mock.patch('a.b') as m:\n        yield m",
    "patcher in self": "self_patcher = Holder()\n    self_patcher.p = mock.patch('a.b')\n"
    "    self_patcher.p.start()\n    yield",
    "not bound": "yield open(p).read()",
    "shadowed open": "open = make_opener()\n    f = open(p)\n    yield f",
    "setting attributes on it": "conn = sqlite3.connect(p)\n    conn.row_factory = sqlite3.Row\n    yield conn\n"
    "    conn.close()",
    "executor context": "with ThreadPoolExecutor() as pool:\n        yield pool",
    "executor shutdown": "pool = ThreadPoolExecutor()\n    yield pool\n    pool.shutdown(wait=False)",
    "acquired after yield": "yield\n    f = open(p)\n    f.write('done')",
}


@pytest.mark.parametrize("body", IDIOMS.values(), ids=IDIOMS.keys())
def test_slk103_silent_on_idioms(project, body: str) -> None:
    source = (
        "import contextlib\nimport os\nimport shutil\nimport sqlite3\nimport subprocess\nimport tempfile\n"
        "from concurrent.futures import ThreadPoolExecutor\nfrom unittest import mock\n\nimport pytest\n\n\n"
        f"@pytest.fixture\ndef res(request, p):\n    {body}\n"
    )
    compile(source, "conftest.py", "exec")
    root = project({"conftest.py": source})
    result = lint(root)
    assert not result.errors
    assert [d for d in result.diagnostics if d.code in ("SLK103", "SLK104")] == []


def test_slk103_silent_on_yield_from_even_with_a_leak(project) -> None:
    source = 'import pytest\n\n\n@pytest.fixture\ndef f(tmp_path):\n    f = open(tmp_path / "x")\n    yield from g(f)\n'
    assert lines(project({"conftest.py": source}), "SLK103") == []


def test_slk103_non_owning_calls_do_not_hide_the_leak(project) -> None:
    root = project(
        module(
            """\
            import json
            import logging

            import pytest

            log = logging.getLogger(__name__)


            @pytest.fixture
            def config(tmp_path):
                f = open(tmp_path / "c.json")
                log.info("opened %s", f)
                print(f)
                data = json.load(f)
                yield data
            """
        )
    )
    assert lines(root, "SLK103") == [11]


def test_slk103_helper_before_yield_keeps_the_report(project) -> None:
    source = (
        "import sqlite3\nimport pytest\n\n\n@pytest.fixture\ndef db(tmp_path):\n"
        '    conn = sqlite3.connect(tmp_path / "db")\n    create_schema(conn)\n    yield conn\n'
    )
    assert lines(project({"conftest.py": source}), "SLK103") == [7]


def test_slk103_mkdtemp_path_use_is_not_a_hand_off(project) -> None:
    source = (
        "import os\nimport tempfile\nimport pytest\n\n\n@pytest.fixture\ndef d(monkeypatch):\n"
        "    path = tempfile.mkdtemp()\n    monkeypatch.chdir(path)\n    repo = Repo(os.path.join(path, 'r'))\n"
        "    yield repo\n"
    )
    assert lines(project({"conftest.py": source}), "SLK103") == [8]


def test_slk103_sqlite_with_conn_only_commits(project) -> None:
    source = (
        "import sqlite3\nimport pytest\n\n\n@pytest.fixture\ndef db(tmp_path):\n"
        '    conn = sqlite3.connect(tmp_path / "db")\n    with conn:\n        yield conn\n'
    )
    assert lines(project({"conftest.py": source}), "SLK103") == [7]


# SLK103 fixes --------------------------------------------------------------------------------
def test_slk103_fix_appends_release_as_last_statement(project) -> None:
    root = project(
        module(
            """\
            import subprocess
            from tempfile import mkdtemp

            import pytest


            @pytest.fixture
            def server():
                proc = subprocess.Popen(["sleep", "60"])
                try:
                    yield proc
                finally:
                    print("bye")


            @pytest.fixture
            def workdir():
                path = mkdtemp()
                yield path
                # cleanup below
            """
        )
    )
    assert fix(root) == 1
    assert (root / "test_example.py").read_text() == textwrap.dedent(
        """\
        import shutil
        import subprocess
        from tempfile import mkdtemp

        import pytest


        @pytest.fixture
        def server():
            proc = subprocess.Popen(["sleep", "60"])
            try:
                yield proc
            finally:
                print("bye")
            proc.terminate()
            proc.wait()


        @pytest.fixture
        def workdir():
            path = mkdtemp()
            yield path
            # cleanup below
            shutil.rmtree(path, ignore_errors=True)
        """
    )
    assert lines(root, "SLK103") == []
    before = (root / "test_example.py").read_text()
    assert fix(root) == 0
    assert (root / "test_example.py").read_text() == before


def test_slk103_fix_keeps_existing_shutil_import(project) -> None:
    source = (
        "import shutil\nimport tempfile\nimport pytest\n\n\n@pytest.fixture\ndef d():\n    p = tempfile.mkdtemp()\n"
        "    yield p\n"
    )
    root = project({"conftest.py": source})
    fix(root)
    assert (root / "conftest.py").read_text() == source + "    shutil.rmtree(p, ignore_errors=True)\n"


@pytest.mark.parametrize(
    "source",
    [
        # acquired in a branch: the name may be unbound at the end
        "import pytest\n\n\n@pytest.fixture\ndef f(request, p):\n    if request.param:\n        f = open(p)\n"
        "    yield\n",
        # an awaited release in a sync fixture
        "import httpx\nimport pytest\n\n\n@pytest.fixture\ndef c():\n    c = httpx.AsyncClient()\n    yield c\n",
        # the function ends with a return: an appended statement would never run
        "import pytest\n\n\n@pytest.fixture\ndef f(request, p):\n    f = open(p)\n    yield f\n    return\n",
    ],
    ids=["branch", "async-release-in-sync-fixture", "ends-with-return"],
)
def test_slk103_no_fix_when_unsafe(project, source: str) -> None:
    root = project({"conftest.py": source})
    result = lint(root)
    [diag] = [d for d in result.diagnostics if d.code == "SLK103"]
    assert diag.fix is None
    fix(root)
    assert (root / "conftest.py").read_text() == source


def test_append_release_fixer_is_idempotent() -> None:
    source = "def fx():\n    proc = start()\n    yield proc\n"
    op = FixOp("x.py", "append-release", (("func", "fx"), ("code", "proc.terminate()\nproc.wait()"), ("imports", "")))
    once = apply_ops(source, [op])
    assert once == source + "    proc.terminate()\n    proc.wait()\n"
    assert apply_ops(once, [op]) == once


# SLK104 ----------------------------------------------------------------------------------------
def test_slk104_direct_and_through_a_local(project) -> None:
    root = project(
        module(
            """\
            import sqlite3
            from unittest import mock

            import pytest


            @pytest.fixture
            def cfg(tmp_path):
                return open(tmp_path / "c")


            @pytest.fixture(scope="module")
            def db():
                conn = sqlite3.connect(":memory:")
                conn.execute("CREATE TABLE t (x)")
                return conn


            @pytest.fixture
            def patched():
                return mock.patch("a.b").start()
            """
        )
    )
    found = diags(root, "SLK104")
    assert [(line, col) for line, col, _ in found] == [(9, 12), (16, 12), (21, 12)]
    assert "function-scoped fixture 'cfg' returns a file (open()), so no teardown can release it" in found[0][2]
    assert "held in 'conn'" in found[1][2] and "conn.close()" in found[1][2]
    assert "started patch" in found[2][2]
    assert lines(root, "SLK401") == [16]


def test_slk104_fix(project) -> None:
    root = project(
        module(
            """\
            import pytest
            from tempfile import mkdtemp


            @pytest.fixture
            def cfg(tmp_path, file):
                return open(tmp_path / "c")  # the config


            @pytest.fixture
            def d():
                return mkdtemp()
            """
        )
    )
    assert fix(root) == 1
    assert (root / "test_example.py").read_text() == textwrap.dedent(
        """\
        import shutil
        import pytest
        from tempfile import mkdtemp


        @pytest.fixture
        def cfg(tmp_path, file):
            file2 = open(tmp_path / "c")  # the config
            yield file2
            file2.close()


        @pytest.fixture
        def d():
            tmp_dir = mkdtemp()
            yield tmp_dir
            shutil.rmtree(tmp_dir, ignore_errors=True)
        """
    )
    before = (root / "test_example.py").read_text()
    assert fix(root) == 0
    assert (root / "test_example.py").read_text() == before


def test_slk104_no_fix_when_return_is_not_last(project) -> None:
    source = (
        "import pytest\n\n\n@pytest.fixture\ndef f(request, p):\n    if request.param:\n"
        "        return open(p)\n    return None\n"
    )
    root = project({"conftest.py": source})
    [diag] = [d for d in lint(root).diagnostics if d.code == "SLK104"]
    assert diag.fix is None


@pytest.mark.parametrize(
    "body",
    [
        "conn = sqlite3.connect(p)\n    request.addfinalizer(conn.close)\n    return conn",
        "return lambda name: open(name)",
        "f = open(p)\n    return f.name",
        "conn = sqlite3.connect(p)\n    conn.close()\n    return conn",
        "return Wrapper(open(p))",
        "return p.open()",
        "p = mock.patch('a.b')\n    request.addfinalizer(p.stop)\n    return p.start()",
    ],
)
def test_slk104_silent(project, body: str) -> None:
    source = (
        "import sqlite3\nfrom unittest import mock\n\nimport pytest\n\n\n"
        f"@pytest.fixture\ndef res(request, p):\n    {body}\n"
    )
    assert lines(project({"conftest.py": source}), "SLK104") == []


def test_yield_resource_fixer_is_idempotent() -> None:
    source = "def fx():\n    return open('x')\n"
    op = FixOp("x.py", "yield-resource", (("func", "fx"), ("name", "file"), ("bind", "1"), ("code", "file.close()")))
    once = apply_ops(source, [op])
    assert once == "def fx():\n    file = open('x')\n    yield file\n    file.close()\n"
    assert apply_ops(once, [op]) == once


# the table and the rules' docs ----------------------------------------------------------------
def test_table_lookup_and_extra_resources() -> None:
    assert resource_table.lookup("sqlite3.connect").release == ("close",)
    assert resource_table.lookup("tempfile.mkdtemp").release_functions[0] == "shutil.rmtree"
    assert resource_table.lookup("json.loads") is None
    extra = (("acme.Pool", "drain"), ("Widget", "destroy"))
    assert resource_table.lookup("acme.Pool", extra).fix == ("{name}.drain()",)
    assert resource_table.lookup("ui.Widget", extra).release == ("destroy",)
    assert resource_table.lookup("acme.Other", extra) is None
    # every fix statement names the resource and parses
    for resource in resource_table.RESOURCES:
        for stmt in resource.fix:
            compile(stmt.format(name="x").removeprefix("await "), "<fix>", "exec")
            assert "{name}" in stmt


def test_slk103_iterating_or_joining_is_not_a_hand_off(project) -> None:
    source = (
        "import tempfile\nimport pytest\n\n\n@pytest.fixture\ndef lines(tmp_path):\n"
        '    f = open(tmp_path / "x")\n    found = [line for line in f]\n    for line in f:\n        pass\n'
        "    yield found\n\n\n@pytest.fixture\ndef sub():\n    d = tempfile.mkdtemp()\n"
        '    yield d + "/sub"\n'
    )
    assert lines(project({"conftest.py": source}), "SLK103") == [7, 16]
