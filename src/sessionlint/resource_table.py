"""Resources a fixture can acquire and what releases them, as data.

Each ``Resource`` names the calls that acquire it (qualified names, after
import aliases are resolved: ``sq.connect`` -> ``sqlite3.connect``), the
methods or functions that release it, and the statements the SLK103/SLK104
fixes write after ``yield`` (``{name}`` stands for the local that holds the
resource). ``[tool.sessionlint] extra-resources`` adds entries
(``"mylib.connect" = "close"``, or a release function: ``"mylib.mkdir" =
"mylib.rmdir"``); they are merged with the built-in table by ``table()``.

The database tables at the end (connections, sessions, engines) serve
SLK401-SLK403 as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable


@dataclass(frozen=True)
class Resource:
    constructors: tuple[str, ...]  # qualified names of the calls that acquire it
    what: str  # "a file", "a sqlite3 connection"
    release: tuple[str, ...]  # methods that release it (any one is enough): ("close",)
    fix: tuple[str, ...]  # statements the fix appends after yield; "" entries never; () means no fix
    release_functions: tuple[str, ...] = ()  # functions that release it when handed it: ("shutil.rmtree",)
    imports: tuple[str, ...] = ()  # modules the fix statements need (``import shutil``)
    var: str = "resource"  # the local a fix introduces for ``return open(...)``
    path: bool = False  # the value is a path string: handing it to a call hands over no ownership
    with_closes: bool = True  # ``with name:`` releases it (sqlite3: ``with conn:`` only commits)

    @property
    def fix_is_async(self) -> bool:
        return any(stmt.startswith("await ") for stmt in self.fix)

    def release_text(self, name: str) -> str:
        """How the message tells the user to release it: ``conn.close()``."""
        if self.fix:
            return "; ".join(stmt.format(name=name) for stmt in self.fix)
        return f"{name}.{self.release[0]}()" if self.release else "release it"


def _r(constructors: str, what: str, release: str, fix: str | Iterable[str], **kw) -> Resource:
    fixes = (fix,) if isinstance(fix, str) else tuple(fix)
    return Resource(tuple(constructors.split()), what, tuple(release.split()), fixes, **kw)


# fmt: off
RESOURCES: tuple[Resource, ...] = (
    # files
    _r("open io.open codecs.open", "a file", "close", "{name}.close()", var="file"),
    _r("gzip.open gzip.GzipFile bz2.open bz2.BZ2File lzma.open lzma.LZMAFile", "a compressed file", "close",
       "{name}.close()", var="file"),
    _r("zipfile.ZipFile tarfile.open tarfile.TarFile", "an archive", "close", "{name}.close()", var="archive"),
    _r("shelve.open dbm.open", "a shelf", "close", "{name}.close()", var="shelf"),
    _r("tempfile.NamedTemporaryFile tempfile.TemporaryFile tempfile.SpooledTemporaryFile", "a temporary file",
       "close", "{name}.close()", var="tmp_file"),
    _r("tempfile.TemporaryDirectory", "a temporary directory", "cleanup", "{name}.cleanup()", var="tmp_dir"),
    _r("tempfile.mkdtemp", "a temporary directory", "", "shutil.rmtree({name}, ignore_errors=True)",
       release_functions=("shutil.rmtree", "os.rmdir", "os.removedirs", "distutils.dir_util.remove_tree"),
       imports=("shutil",), var="tmp_dir", path=True),
    # database connections and engines
    _r("sqlite3.connect sqlite3.dbapi2.connect", "a sqlite3 connection", "close", "{name}.close()", var="conn",
       with_closes=False),
    _r("psycopg2.connect", "a psycopg2 connection", "close", "{name}.close()", var="conn", with_closes=False),
    _r("psycopg.connect psycopg.Connection.connect pymysql.connect MySQLdb.connect mysql.connector.connect "
       "duckdb.connect", "a database connection", "close", "{name}.close()", var="conn"),
    _r("asyncpg.connect aiosqlite.connect psycopg.AsyncConnection.connect", "a database connection", "close",
       "await {name}.close()", var="conn"),
    _r("asyncpg.create_pool", "a connection pool", "close terminate", "await {name}.close()", var="pool"),
    _r("sqlalchemy.create_engine sqlalchemy.engine.create_engine sqlmodel.create_engine",
       "a SQLAlchemy engine", "dispose", "{name}.dispose()", var="engine"),
    _r("sqlalchemy.ext.asyncio.create_async_engine", "a SQLAlchemy async engine", "dispose",
       "await {name}.dispose()", var="engine"),
    # processes, threads, sockets, servers, event loops
    _r("subprocess.Popen", "a subprocess", "terminate kill wait communicate", ("{name}.terminate()", "{name}.wait()"),
       var="proc"),
    _r("asyncio.create_subprocess_exec asyncio.create_subprocess_shell", "a subprocess",
       "terminate kill wait communicate", ("{name}.terminate()", "await {name}.wait()"), var="proc"),
    _r("concurrent.futures.ThreadPoolExecutor concurrent.futures.ProcessPoolExecutor "
       "concurrent.futures.thread.ThreadPoolExecutor concurrent.futures.process.ProcessPoolExecutor",
       "an executor", "shutdown", "{name}.shutdown()", var="executor"),
    _r("multiprocessing.Pool multiprocessing.pool.Pool multiprocessing.pool.ThreadPool", "a process pool",
       "terminate close", ("{name}.terminate()", "{name}.join()"), var="pool"),
    _r("socket.socket socket.create_connection socket.create_server", "a socket", "close detach",
       "{name}.close()", var="sock"),
    _r("http.server.HTTPServer http.server.ThreadingHTTPServer socketserver.TCPServer "
       "socketserver.ThreadingTCPServer socketserver.UDPServer", "a server", "server_close shutdown",
       "{name}.server_close()", var="server"),
    _r("asyncio.new_event_loop", "an event loop", "close", "{name}.close()", var="loop"),
    _r("selectors.DefaultSelector", "a selector", "close", "{name}.close()", var="selector"),
    # HTTP clients
    _r("requests.Session requests.session requests.sessions.Session httpx.Client", "an HTTP client", "close",
       "{name}.close()", var="client"),
    _r("httpx.AsyncClient", "an HTTP client", "aclose", "await {name}.aclose()", var="client"),
    _r("aiohttp.ClientSession", "an HTTP client session", "close", "await {name}.close()", var="client"),
)
# fmt: on

# ``mock.patch(...)``: a patcher is a resource once started; ``stop()`` releases it.
PATCH_FACTORIES = frozenset(
    f"{base}.{attr}" if attr else base
    for base in ("unittest.mock.patch", "mock.patch")
    for attr in ("", "object", "dict", "multiple")
)
PATCHER = Resource(("<patcher>.start",), "a started patch", ("stop",), ("{name}.stop()",), var="patcher")
# ``mock.patch(...).start()``: no handle to stop it with but ``patch.stopall()``.
STARTED_PATCH = Resource(("<patch>.start",), "a started patch", (), (), var="patched")

# Functions that take over what they are given (releasing it later).
OWNER_FUNCTIONS = frozenset(
    {"enter_context", "enter_async_context", "callback", "push", "push_async_callback", "push_async_exit",
     "addfinalizer", "register", "finalize", "closing", "aclosing"}
)  # fmt: skip
# Calls that look at a value without keeping it.
NON_OWNING_CALLS = frozenset(
    {"print", "repr", "str", "bytes", "int", "float", "bool", "len", "id", "type", "isinstance", "issubclass",
     "hasattr", "getattr", "vars", "dir", "hash", "format", "os.fspath", "os.listdir", "os.stat", "os.chmod",
     "os.walk", "os.scandir", "os.makedirs", "os.mkdir", "pathlib.Path", "pathlib.PurePath", "warnings.warn",
     "shutil.copyfileobj", "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move"}
)  # fmt: skip
NON_OWNING_PREFIXES = ("os.path.", "logging.", "json.", "pickle.", "marshal.", "csv.", "yaml.", "tomllib.")
NON_OWNING_RECEIVERS = frozenset({"log", "logger", "LOG", "LOGGER", "logging", "_log", "_logger"})

# Databases (SLK401-SLK403) ------------------------------------------------------------------
DB_CONNECT = {
    "sqlite3.connect": "a sqlite3 connection",
    "sqlite3.dbapi2.connect": "a sqlite3 connection",
    "psycopg.connect": "a psycopg connection",
    "psycopg.Connection.connect": "a psycopg connection",
    "psycopg.AsyncConnection.connect": "a psycopg connection",
    "psycopg2.connect": "a psycopg2 connection",
    "pymysql.connect": "a pymysql connection",
    "MySQLdb.connect": "a MySQLdb connection",
    "mysql.connector.connect": "a MySQL connection",
    "asyncpg.connect": "an asyncpg connection",
    "aiosqlite.connect": "an aiosqlite connection",
}
DB_SESSIONS = {
    "sqlalchemy.orm.Session": "a SQLAlchemy Session",
    "sqlalchemy.orm.session.Session": "a SQLAlchemy Session",
    "sqlalchemy.ext.asyncio.AsyncSession": "a SQLAlchemy AsyncSession",
    "sqlmodel.Session": "a SQLModel Session",
    "sqlmodel.ext.asyncio.session.AsyncSession": "a SQLModel AsyncSession",
    "sqlalchemy.orm.scoped_session": "a scoped_session",
    "sqlalchemy.ext.asyncio.async_scoped_session": "an async_scoped_session",
}
SESSION_MAKERS = frozenset(
    {"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker", "sqlalchemy.ext.asyncio.async_sessionmaker"}
)
ENGINE_CONSTRUCTORS = frozenset(
    {"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlmodel.create_engine",
     "sqlalchemy.ext.asyncio.create_async_engine"}
)  # fmt: skip
ASYNC_ENGINE_CONSTRUCTORS = frozenset({"sqlalchemy.ext.asyncio.create_async_engine"})
# ``engine.connect()`` / ``engine.begin()`` hand out a connection.
ENGINE_CONNECTION_METHODS = frozenset({"connect", "begin"})


@lru_cache(maxsize=16)
def table(extra: tuple[tuple[str, str], ...] = ()) -> dict[str, Resource]:
    """Constructor name -> Resource: the built-in table merged with ``extra-resources``."""
    found: dict[str, Resource] = {}
    for resource in RESOURCES:
        for constructor in resource.constructors:
            found[constructor] = resource
    for constructor, release in extra:
        release = release.strip().removesuffix("()")
        if not constructor or not release:
            continue
        short = constructor.rsplit(".", 1)[-1]
        if "." in release:  # a function: ``shutil.rmtree``
            module = release.rsplit(".", 1)[0]
            found[constructor] = Resource(
                (constructor,), f"a {short}", (), (f"{release}({{name}})",), release_functions=(release,),
                imports=(module,), var=short.lower() if short.isidentifier() else "resource",
            )
        else:
            found[constructor] = Resource(
                (constructor,), f"a {short}", (release,), (f"{{name}}.{release}()",),
                var="resource",
            )
    return found


@lru_cache(maxsize=16)
def trigger_words(extra: tuple[tuple[str, str], ...] = ()) -> tuple[str, ...]:
    """Words one of which a function's source must contain to acquire anything in the table."""
    words = {constructor.rsplit(".", 1)[-1] for constructor in table(extra)}
    words.add(".start(")
    return tuple(sorted(words))


def lookup(name: str, extra: tuple[tuple[str, str], ...] = ()) -> Resource | None:
    """The resource a call to ``name`` (a qualified name) acquires, if any."""
    found = table(extra)
    resource = found.get(name)
    if resource is not None:
        return resource
    last = name.rsplit(".", 1)[-1]
    for constructor, _release in extra:
        if "." not in constructor and constructor == last:
            return found.get(constructor)
    return None
