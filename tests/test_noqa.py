"""``# noqa`` as flake8 reads it, and only test code is ever reported or rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionlint import noqa
from sessionlint.cli import main

CONFTEST = (
    "import pytest\n\n\n"
    '@pytest.fixture(scope="session")\n'
    "def shared_config():\n"
    '    return {"users": []}\n'
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = 1  # noqa", None),
        ("x = 1  # NOQA", None),
        ("x = 1  # noqa: SLK101", frozenset({"SLK101"})),
        ("x = 1  # noqa:SLK101,E501", frozenset({"SLK101", "E501"})),
        ("x = 1  # noqa: E501 SLK201", frozenset({"E501", "SLK201"})),
        ("x = 1  # NoQA: E501, SLK2", frozenset({"E501", "SLK2"})),
        ("x = 1  # noqa: because", None),  # no valid code: a bare noqa, as in flake8
    ],
)
def test_flake8_grammar(line, expected):
    assert noqa.parse([line]) == {1: expected}


def test_no_directive():
    assert noqa.parse(["x = 1  # no qa", "y = 2"]) == {}


@pytest.mark.parametrize(
    ("comment", "hidden"),
    [
        ("# noqa", True),
        ("# noqa: SLK201", True),
        ("# noqa: SLK2", True),
        ("# NOQA: E501,SLK201", True),
        ("# noqa: E501 SLK201", True),
        ("# noqa: SLK999", False),
        ("# noqa: SLK101", False),
        ("# noqa: E501", False),
    ],
)
def test_the_cli_hides_exactly_the_named_codes(tmp_path, capsys, comment, hidden):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_users.py").write_text(
        f"def test_create_user(shared_config):\n    shared_config['users'].append('alice')  {comment}\n"
    )
    main(["--no-cache", str(tmp_path / "test_users.py")])
    out = capsys.readouterr().out
    assert ("SLK201" not in out) == hidden, out


APP = 'import os\n\n\ndef test_connection(url):\n    os.environ["X"] = url\n'


def test_an_application_module_passed_explicitly_is_never_a_test(tmp_path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("")
    app = tmp_path / "src" / "app" / "db.py"
    app.parent.mkdir(parents=True)
    app.write_text(APP)
    (tmp_path / "tests").mkdir()
    test = tmp_path / "tests" / "test_db.py"
    test.write_text(APP)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["--no-cache", str(app)]) == 0
    assert ": SLK" not in capsys.readouterr().out
    main(["--no-cache", str(app), str(test)])
    out = capsys.readouterr().out
    assert "db.py" not in out.replace("test_db.py", "") and "test_db.py" in out and "SLK301" in out
    main(["--no-cache", "--fix", "--unsafe-fixes", str(app), str(test)])
    assert app.read_text() == APP
    assert "monkeypatch" in test.read_text()
