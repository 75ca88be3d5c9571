"""Resources a fixture acquires and never releases: SLK103 (yield fixtures), SLK104 (returned).

A resource is what a call from ``resource_table`` hands back (``open``,
``sqlite3.connect``, ``subprocess.Popen``, ``tempfile.mkdtemp``, a started
``mock.patch``...). The analysis is per fixture and flow-insensitive, and it
prefers silence: a resource whose name is rebound, captured by a nested
function, stored on an object or in a container, registered with an owner
(``request.addfinalizer``, ``ExitStack``...), or handed to a call that keeps
it, is assumed to be released by someone else.
"""

from __future__ import annotations

from sessionlint.rules.base import Example, Rule

RULES = [
    Rule(
        code="SLK103",
        name="missing-teardown",
        summary="a yield fixture acquires a resource and nothing after yield releases it",
        fix="sometimes",
        what="Flags a yield fixture that binds a resource with a known release to a local name and never "
        "releases it: a file (`open` → `close()`), a database connection (`sqlite3`, `psycopg`, `psycopg2`, "
        "`pymysql`, `asyncpg`, `aiosqlite` `connect` → `close()`), a SQLAlchemy engine (`create_engine` → "
        "`dispose()`), a process (`subprocess.Popen` → `terminate()` and `wait()`), a directory from "
        "`tempfile.mkdtemp` (→ `shutil.rmtree`), a socket, a started `mock.patch` (→ `stop()`), a thread or "
        "process pool (→ `shutdown()`), an HTTP client (`requests.Session`, `httpx.Client` → `close()`, "
        "`httpx.AsyncClient` → `aclose()`), temporary files and directories, event loops and more; "
        "`extra-resources` adds your own.\n\n"
        "The resource counts as released when its release method is called on the name (or an alias) "
        "anywhere in the fixture, when it is used as a context manager (`with open(...) as f:`, "
        "`with f:`; not for `sqlite3` and `psycopg2` connections, whose `with conn:` only ends a "
        "transaction), wrapped in `contextlib.closing` or `ExitStack.enter_context`, registered with "
        "`request.addfinalizer`, captured by a nested function, stored on an object or in a container, or "
        "handed to a call that keeps it (its result is used) or that runs after `yield` (a cleanup helper). "
        "A fixture that delegates with `yield from helper()` is never flagged: the helper's `finally` is "
        "the teardown. A started patch with no handle (`mock.patch(...).start()`) counts as released only "
        "by `patch.stopall()`.",
        why="A fixture's teardown is the only place that runs after every test that used it, pass or fail. "
        "Without it the resource outlives the test: a patch stays active for every later test, a server "
        "process keeps its port so the next one cannot bind it, a temporary directory stays on disk, and a "
        "file or connection stays open until the interpreter happens to collect it (for a broad fixture, "
        "until the session ends), with unflushed writes and held database locks that a later test runs "
        "into. Which test fails then depends on the order.",
        example="""
@pytest.fixture
def db(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    yield conn
""",
        use_instead="""
@pytest.fixture
def db(tmp_path):
    conn = sqlite3.connect(tmp_path / "app.db")
    yield conn
    conn.close()
""",
        fix_safety="Safe: the release (`conn.close()`; `proc.terminate()` and `proc.wait()` for a process; "
        "`shutil.rmtree(path, ignore_errors=True)` and `import shutil` for `mkdtemp`) is appended as the "
        "fixture's last statement, where it runs after every test. The fix is offered only when the "
        "resource is bound by a statement of the fixture's own body (not inside a branch or loop), so the "
        "name is always bound when the release runs; not when the fixture ends with `return` or `raise` "
        "(the release would never run); and, for releases that must be awaited, only in `async def` "
        "fixtures. A started patch without a handle gets no fix.\n\n"
        "Limitations: the analysis is per fixture and prefers silence. A resource whose name is bound twice, "
        "declared `global`, or acquired without a name (`yield open(path)`) is not reported; neither is a "
        "leak that a resource's owner (an object it was handed to) may or may not clean up.",
        options="`extra-resources`: a table of more constructors and their release method "
        '(`"mylib.connect" = "close"`) or release function (`"mylib.make_dir" = "shutil.rmtree"`).',
        references=(
            "https://docs.pytest.org/en/stable/how-to/fixtures.html#teardown-cleanup-aka-fixture-finalization",
            "https://docs.python.org/3/library/unittest.mock.html#patch-methods-start-and-stop",
        ),
        valid=(
            "import pytest\n\n\n@pytest.fixture\ndef log_file(tmp_path):\n"
            '    with open(tmp_path / "log.txt", "a") as f:\n        yield f\n',
            "import sqlite3\n\nimport pytest\n\n\n@pytest.fixture\ndef db(tmp_path):\n"
            '    conn = sqlite3.connect(tmp_path / "app.db")\n    try:\n        yield conn\n'
            "    finally:\n        conn.close()\n",
            "import subprocess\n\nimport pytest\n\n\n@pytest.fixture\ndef server(request):\n"
            '    proc = subprocess.Popen(["sleep", "60"])\n    request.addfinalizer(proc.kill)\n'
            "    yield proc\n",
            "import contextlib\n\nimport pytest\n\n\n@pytest.fixture\ndef files(tmp_path):\n"
            "    with contextlib.ExitStack() as stack:\n"
            '        f = stack.enter_context(open(tmp_path / "a.txt", "w"))\n        yield f\n',
            "import pytest\n\nfrom helpers import running_server\n\n\n@pytest.fixture\ndef server():\n"
            "    yield from running_server()\n",
            "from unittest import mock\n\nimport pytest\n\n\n@pytest.fixture\ndef frozen_time():\n"
            '    patcher = mock.patch("time.time", return_value=0.0)\n    yield patcher.start()\n'
            "    patcher.stop()\n",
        ),
        invalid=(
            Example(
                "import sqlite3 as sq\n\nimport pytest\n\n\n@pytest.fixture\ndef db(tmp_path):\n"
                '    conn = sq.connect(tmp_path / "app.db")\n    yield conn\n',
                fixed="import sqlite3 as sq\n\nimport pytest\n\n\n@pytest.fixture\ndef db(tmp_path):\n"
                '    conn = sq.connect(tmp_path / "app.db")\n    yield conn\n    conn.close()\n',
            ),
            Example(
                "from tempfile import mkdtemp\n\nimport pytest\n\n\n@pytest.fixture\ndef workdir():\n"
                "    path = mkdtemp()\n    yield path\n",
                fixed="import shutil\nfrom tempfile import mkdtemp\n\nimport pytest\n\n\n@pytest.fixture\n"
                "def workdir():\n    path = mkdtemp()\n    yield path\n"
                "    shutil.rmtree(path, ignore_errors=True)\n",
            ),
            Example(
                "import subprocess\n\nimport pytest\n\n\n@pytest.fixture(scope=\"session\")\ndef server():\n"
                '    proc = subprocess.Popen(["python", "-m", "http.server", "8000"])\n    yield proc\n',
                fixed="import subprocess\n\nimport pytest\n\n\n@pytest.fixture(scope=\"session\")\ndef server():\n"
                '    proc = subprocess.Popen(["python", "-m", "http.server", "8000"])\n    yield proc\n'
                "    proc.terminate()\n    proc.wait()\n",
            ),
            Example(
                "from unittest import mock\n\nimport pytest\n\n\n@pytest.fixture\ndef frozen_time():\n"
                '    patcher = mock.patch("time.time", return_value=0.0)\n    patcher.start()\n    yield\n',
                fixed="from unittest import mock\n\nimport pytest\n\n\n@pytest.fixture\ndef frozen_time():\n"
                '    patcher = mock.patch("time.time", return_value=0.0)\n    patcher.start()\n    yield\n'
                "    patcher.stop()\n",
            ),
            Example(
                "from unittest import mock\n\nimport pytest\n\n\n@pytest.fixture\ndef no_network():\n"
                '    mock.patch("socket.socket").start()\n    yield\n',
                fixed=None,
            ),
        ),
    ),
    Rule(
        code="SLK104",
        name="resource-returned",
        summary="a fixture returns a freshly acquired resource, so no teardown can run",
        fix="sometimes",
        what="Flags a fixture that `return`s a resource it has just acquired (see SLK103 for the table): "
        "`return open(path)`, or `conn = sqlite3.connect(...)` followed by `return conn`, or "
        "`return mock.patch(...).start()`. The same hand-offs as for SLK103 (a finalizer, an `ExitStack`, "
        "a nested function, storing it on an object) keep it quiet.",
        why="A fixture that returns has no teardown: pytest never runs code after the test, so the file, "
        "connection, process or patch outlives it. For a broad fixture it stays open for the rest of the "
        "session; a started patch stays active for every later test.",
        example="""
@pytest.fixture
def config_file(tmp_path):
    return open(tmp_path / "app.cfg", "w")
""",
        use_instead="""
@pytest.fixture
def config_file(tmp_path):
    file = open(tmp_path / "app.cfg", "w")
    yield file
    file.close()
""",
        fix_safety="Safe: `return x` becomes `yield x` followed by the release; `return open(...)` first "
        "binds the resource to a new local named after it (`file`, `conn`, `proc`...). Offered only when "
        "that `return` is the fixture's last statement and its only `return` with a value, and, for "
        "releases that must be awaited, only in `async def` fixtures. Tests see the same value; the "
        "release runs after each test (or at the end of the fixture's scope).",
        options="`extra-resources`: more constructors and their release, as for SLK103.",
        references=("https://docs.pytest.org/en/stable/how-to/fixtures.html#yield-fixtures-recommended",),
        valid=(
            "import pytest\n\n\n@pytest.fixture\ndef config_text(tmp_path):\n"
            '    with open(tmp_path / "app.cfg", "w") as f:\n        f.write("debug = 1")\n'
            '    return tmp_path / "app.cfg"\n',
            "import sqlite3\n\nimport pytest\n\n\n@pytest.fixture\ndef db(request, tmp_path):\n"
            '    conn = sqlite3.connect(tmp_path / "app.db")\n    request.addfinalizer(conn.close)\n'
            "    return conn\n",
            "import pytest\n\n\n@pytest.fixture\ndef opener(tmp_path):\n"
            '    return lambda name: open(tmp_path / name)\n',
        ),
        invalid=(
            Example(
                "import pytest\n\n\n@pytest.fixture\ndef config_file(tmp_path):\n"
                '    return open(tmp_path / "app.cfg", "w")\n',
                fixed="import pytest\n\n\n@pytest.fixture\ndef config_file(tmp_path):\n"
                '    file = open(tmp_path / "app.cfg", "w")\n    yield file\n    file.close()\n',
            ),
            Example(
                "import sqlite3\n\nimport pytest\n\n\n@pytest.fixture\ndef db(tmp_path):\n"
                '    conn = sqlite3.connect(tmp_path / "app.db")\n'
                '    conn.execute("CREATE TABLE users (name TEXT)")\n    return conn\n',
                fixed="import sqlite3\n\nimport pytest\n\n\n@pytest.fixture\ndef db(tmp_path):\n"
                '    conn = sqlite3.connect(tmp_path / "app.db")\n'
                '    conn.execute("CREATE TABLE users (name TEXT)")\n    yield conn\n    conn.close()\n',
            ),
        ),
    ),
]

from sessionlint.rules.resources.check import check_file  # noqa: E402 - the checks import RULES' constants

__all__ = ["RULES", "check_file"]
