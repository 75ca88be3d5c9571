"""SLK501 scope-mismatch: resolution across files, built-ins, overrides, fixes, and pytest's own verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import lint, shown
from sessionlint.cli import main
from sessionlint.fixes import apply_ops
from sessionlint.model import FixOp

CODE = "SLK501"


def slk501(root: Path) -> list[tuple[str, int, int, str]]:
    result = lint(root)
    assert not result.errors, result.errors
    return [
        (str(Path(d.path).relative_to(root)), d.line, d.col, shown(d)) for d in result.diagnostics if d.code == CODE
    ]


def fix(root: Path, *extra: str) -> None:
    assert main(["--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", "--no-cache", "--isolated", "-q", *extra, str(root)]) in (0, 1)


# detection --------------------------------------------------------------------------------------
def test_cross_file_session_requests_function_fixture_of_another_conftest(project) -> None:
    root = project(
        {
            "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return object()\n",
            "api/conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef client(db):\n    return db\n',
            "api/test_api.py": "def test_get(client):\n    assert client\n",
        }
    )
    [(path, line, col, message)] = slk501(root)
    assert (path, line, col) == ("api/conftest.py", 5, 12)
    assert "session-scoped fixture 'client'" in message
    assert "function-scoped fixture 'db'" in message
    assert "conftest.py:5" in message  # where 'db' is defined
    assert "ScopeMismatch" in message
    assert not message.endswith(".")


@pytest.mark.parametrize(
    "name", ["tmp_path", "tmpdir", "monkeypatch", "capsys", "capfd", "caplog", "recwarn", "mocker"]
)
def test_builtin_function_scoped_fixtures(project, name: str) -> None:
    source = f'import pytest\n\n\n@pytest.fixture(scope="module")\ndef thing({name}):\n    yield 1\n'
    root = project({"test_a.py": source})
    [(path, line, col, message)] = slk501(root)
    assert (path, line, col) == ("test_a.py", 5, 11)
    assert f"function-scoped fixture '{name}' (built-in)" in message


def test_reported_at_the_parameter_not_its_annotation(project) -> None:
    root = project(
        {
            "test_a.py": "import pytest\n\n\n@pytest.fixture(scope='session')\n"
            "def data(\n    pytestconfig,\n    tmp_path: 'Path',\n):\n    return tmp_path\n"
        }
    )
    result = lint(root)
    [diag] = [d for d in result.diagnostics if d.code == CODE]
    assert (diag.line, diag.col, diag.end_line, diag.end_col) == (7, 5, 7, 13)


def test_mocker_advice_names_the_broad_mocker(project) -> None:
    source = 'import pytest\n\n\n@pytest.fixture(scope="module")\ndef m(mocker):\n    return mocker\n'
    root = project({"test_a.py": source})
    [(_, _, _, message)] = slk501(root)
    assert "module_mocker" in message


def test_nested_conftest_override_changes_the_answer(project) -> None:
    """The nearer conftest.py wins: the same request is fine at the root and a mismatch below."""
    root = project(
        {
            "conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef db():\n    return object()\n\n\n'
            '@pytest.fixture(scope="session")\ndef root_client(db):\n    return db\n',
            "sub/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return object()\n\n\n"
            '@pytest.fixture(scope="session")\ndef sub_client(db):\n    return db\n',
            "test_root.py": "def test_root(root_client):\n    assert root_client\n",
        }
    )
    found = slk501(root)
    assert [(p, line) for p, line, _, _ in found] == [("sub/conftest.py", 10)]
    assert "sub/conftest.py:5" in found[0][3]


def test_override_below_a_root_fixture_is_what_tests_there_get(project) -> None:
    """pytest resolves a fixture's requests from the test: an override below makes the root fixture fail."""
    root = project(
        {
            "conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef db():\n    return object()\n\n\n'
            '@pytest.fixture(scope="session")\ndef client(db):\n    return db\n',
            "sub/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return object()\n",
            "sub/test_sub.py": "def test_sub(client):\n    assert client\n",
            "test_root.py": "def test_root(client):\n    assert client\n",
        }
    )
    [(path, line, col, message)] = slk501(root)
    assert (path, line, col) == ("conftest.py", 10, 12)
    assert "sub/test_sub.py" in message
    assert "sub/conftest.py:5" in message


def test_override_below_is_silent_when_no_test_there_uses_the_fixture(project) -> None:
    root = project(
        {
            "conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef db():\n    return object()\n\n\n'
            '@pytest.fixture(scope="session")\ndef client(db):\n    return db\n',
            "sub/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return object()\n",
            "sub/test_sub.py": "def test_sub(db):\n    assert db\n",
            "test_root.py": "def test_root(client):\n    assert client\n",
        }
    )
    assert slk501(root) == []


def test_override_reached_through_another_fixture_and_a_class(project) -> None:
    root = project(
        {
            "conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="module")\ndef db():\n    return object()\n\n\n'
            '@pytest.fixture(scope="module")\ndef client(db):\n    return db\n',
            "test_a.py": "import pytest\n\n\n@pytest.fixture\ndef api(client):\n    return client\n\n\n"
            "class TestA:\n    @pytest.fixture\n    def db(self):\n        return 1\n\n"
            "    def test_a(self, api):\n        assert api\n",
        }
    )
    [(path, line, _, message)] = slk501(root)
    assert (path, line) == ("conftest.py", 10)
    assert "test_a.py (class TestA)" in message


def test_class_scoped_requesting_function_scoped(project) -> None:
    root = project(
        {
            "test_a.py": "import pytest\n\n\nclass TestUsers:\n"
            "    @pytest.fixture\n    def user(self):\n        return 1\n\n"
            '    @pytest.fixture(scope="class")\n    def users(self, user):\n        return [user]\n\n'
            "    def test_users(self, users):\n        assert users\n"
        }
    )
    [(path, line, col, message)] = slk501(root)
    assert (path, line, col) == ("test_a.py", 10, 21)
    assert "class-scoped fixture 'users' requests function-scoped fixture 'user'" in message


@pytest.mark.parametrize(
    ("outer", "inner"),
    [
        ("module", "session"),
        ("session", "session"),
        ("class", "module"),
        ("package", "session"),
        ("function", "function"),
    ],
)
def test_broader_or_equal_is_fine(project, outer: str, inner: str) -> None:
    root = project(
        {
            "conftest.py": f'import pytest\n\n\n@pytest.fixture(scope="{inner}")\ndef engine():\n    return 1\n',
            "test_a.py": f'import pytest\n\n\n@pytest.fixture(scope="{outer}")\ndef conn(engine, request, '
            "tmp_path_factory, pytestconfig):\n    return engine\n",
        }
    )
    assert slk501(root) == []


@pytest.mark.parametrize(
    "source",
    [
        # dynamic scope: unknown
        "def pick(fixture_name, config):\n    return 'session'\n\n\n"
        "@pytest.fixture(scope=pick)\ndef f(tmp_path):\n    return 1\n",
        # requested fixture of unknown scope
        "S = compute()\n\n\n@pytest.fixture(scope=S)\ndef inner():\n    return 1\n\n\n"
        "@pytest.fixture(scope='session')\ndef outer(inner):\n    return 1\n",
        # a name nothing defines
        "@pytest.fixture(scope='session')\ndef outer(from_some_plugin):\n    return 1\n",
        # parameters with defaults are not fixtures
        "@pytest.fixture(scope='session')\ndef outer(tmp_path=None):\n    return 1\n",
    ],
)
def test_silent_when_unknown(project, source: str) -> None:
    root = project({"test_a.py": "import pytest\n\n\n" + source})
    assert slk501(root) == []


def test_a_fixture_overriding_itself_gets_the_outer_definition(project) -> None:
    root = project(
        {
            "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return 1\n",
            "sub/conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef db(db):\n    return db\n',
            "sub/test_a.py": "def test_a(db):\n    assert db\n",
        }
    )
    [(path, line, _, message)] = slk501(root)
    assert (path, line) == ("sub/conftest.py", 5)
    assert "conftest.py:5)" in message
    assert "sub/conftest.py:5)" not in message


def test_noqa(project) -> None:
    root = project(
        {
            "test_a.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\n'
            "def d(tmp_path):  # noqa: SLK501\n    return 1\n"
        }
    )
    assert slk501(root) == []


# pytest agrees --------------------------------------------------------------------------------
CROSS_FILE = {
    "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return object()\n",
    "api/conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef client(db):\n    return db\n',
    "api/test_api.py": "def test_get(client):\n    assert client\n",
}
OVERRIDE = {
    "conftest.py": 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef db():\n    return object()\n\n\n'
    '@pytest.fixture(scope="session")\ndef client(db):\n    return db\n',
    "sub/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef db():\n    return object()\n",
    "sub/test_sub.py": "def test_sub(client):\n    assert client\n",
    "test_root.py": "def test_root(client):\n    assert client\n",
}


@pytest.mark.parametrize(("files", "errors"), [(CROSS_FILE, 1), (OVERRIDE, 1)], ids=["cross-file", "override"])
def test_pytest_raises_scope_mismatch_where_reported(pytester: pytest.Pytester, files, errors: int) -> None:
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert slk501(pytester.path)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=errors, passed=len([n for n in files if "test_" in n]) - errors)
    result.stdout.fnmatch_lines(["*ScopeMismatch*"])


def test_fixed_builtins_run_under_pytest(pytester: pytest.Pytester) -> None:
    (pytester.path / "conftest.py").write_text(
        'import os\nimport pytest\n\n\n@pytest.fixture(scope="session")\ndef data_dir(tmp_path):\n'
        '    (tmp_path / "a.txt").write_text("a")\n    return tmp_path\n\n\n'
        '@pytest.fixture(scope="module")\ndef env(monkeypatch):\n    monkeypatch.setenv("SLK501_ENV", "x")\n    yield\n'
    )
    (pytester.path / "test_a.py").write_text(
        "import os\n\n\ndef test_a(data_dir, env):\n    assert (data_dir / 'a.txt').read_text() == 'a'\n"
        "    assert os.environ['SLK501_ENV'] == 'x'\n"
    )
    # the module-scoped patch is undone after test_a.py's last test
    (pytester.path / "test_b.py").write_text(
        "import os\n\n\ndef test_b():\n    assert 'SLK501_ENV' not in os.environ\n"
    )
    before = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    before.assert_outcomes(errors=1, passed=1)
    fix(pytester.path)
    assert slk501(pytester.path) == []
    after = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    after.assert_outcomes(passed=2)


# fixes --------------------------------------------------------------------------------------
def _fix_text(root: Path, source: str) -> str:
    path = root / "test_a.py"
    path.write_text(source)
    fix(root)
    first = path.read_text()
    fix(root)
    assert path.read_text() == first, "a second --fix changed the file"
    return first


def test_fix_tmp_path_keeps_existing_factory_and_comments(project) -> None:
    root = project({})
    fixed = _fix_text(
        root,
        "import pytest\n\n\n@pytest.fixture(scope='session')\n"
        "def data(tmp_path_factory, tmp_path):  # the data\n"
        "    # write it\n    (tmp_path / 'x').write_text('1')\n    return tmp_path\n",
    )
    assert fixed == (
        "import pytest\n\n\n@pytest.fixture(scope='session')\n"
        "def data(tmp_path_factory):  # the data\n"
        "    # write it\n"
        '    tmp_path = tmp_path_factory.mktemp("data")\n'
        "    (tmp_path / 'x').write_text('1')\n    return tmp_path\n"
    )


def test_fix_tmp_path_in_a_class_with_annotation_and_name_kwarg(project) -> None:
    root = project({})
    fixed = _fix_text(
        root,
        "import pytest\nfrom pathlib import Path\n\n\nclass TestX:\n"
        "    @pytest.fixture(scope='class', name='work-dir')\n"
        "    def work_dir(self, tmp_path: Path) -> Path:\n        return tmp_path\n\n"
        "    def test_x(self, work_dir):\n        assert work_dir\n",
    )
    assert fixed == (
        "import pytest\nfrom pathlib import Path\n\n\nclass TestX:\n"
        "    @pytest.fixture(scope='class', name='work-dir')\n"
        "    def work_dir(self, tmp_path_factory) -> Path:\n"
        '        tmp_path = tmp_path_factory.mktemp("work-dir")\n        return tmp_path\n\n'
        "    def test_x(self, work_dir):\n        assert work_dir\n"
    )


def test_fix_monkeypatch_multiline_params_and_other_fixes_together(project) -> None:
    root = project({})
    fixed = _fix_text(
        root,
        "import pytest as pt\n\n\n@pt.fixture(scope='module')\nasync def env(\n    tmp_path,\n    monkeypatch,\n):\n"
        "    monkeypatch.setenv('HOME', str(tmp_path))\n\n    yield  # run\n    # after\n    print('done')\n",
    )
    # both fixes in one pass: the parameter list keeps its layout, pytest's alias is used
    assert fixed == (
        "import pytest as pt\n\n\n@pt.fixture(scope='module')\nasync def env(\n    tmp_path_factory,\n):\n"
        "    with pt.MonkeyPatch.context() as monkeypatch:\n"
        '        tmp_path = tmp_path_factory.mktemp("env")\n'
        "        monkeypatch.setenv('HOME', str(tmp_path))\n\n        yield  # run\n        # after\n"
        "        print('done')\n"
    )


def test_no_fix_for_overridden_builtin_or_returning_monkeypatch(project) -> None:
    source = (
        "import pytest\n\n\n@pytest.fixture\ndef tmp_path():\n    return 1\n\n\n"
        "@pytest.fixture(scope='session')\ndef a(tmp_path):\n    return tmp_path\n\n\n"
        "@pytest.fixture(scope='session')\ndef b(monkeypatch):\n    monkeypatch.setenv('X', '1')\n    return 1\n"
    )
    root = project({"test_a.py": source})
    result = lint(root)
    diags = [d for d in result.diagnostics if d.code == CODE]
    assert len(diags) == 2
    assert all(d.fix is None for d in diags)
    fix(root)
    assert (root / "test_a.py").read_text() == source


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("monkeypatch", ""),
        ("self, monkeypatch", "self"),
        ("monkeypatch, other", "other"),
        ("a, *, monkeypatch", "a"),
        ("a, *, monkeypatch, b", "a, *, b"),
        ("monkeypatch, /, a", "a"),
    ],
)
def test_monkeypatch_fixer_keeps_the_signature_valid(params: str, expected: str) -> None:
    source = f"def f({params}):\n    yield\n"
    fixed = apply_ops(source, [FixOp("x.py", "monkeypatch-context", (("func", "f"),))])
    assert fixed == (
        f"import pytest\n\n\ndef f({expected}):\n    with pytest.MonkeyPatch.context() as monkeypatch:\n        yield\n"
    )
    assert apply_ops(fixed, [FixOp("x.py", "monkeypatch-context", (("func", "f"),))]) == fixed
