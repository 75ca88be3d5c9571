"""``[tool.sessionlint]``: every key's effect, every error, and how the configuration is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionlint import config
from sessionlint.cli import main
from sessionlint.config import ConfigError, Settings

CONFTEST = 'import pytest\n\n\n@pytest.fixture(scope="session")\ndef shared_config():\n    return {"users": []}\n'
TEST_USERS = 'def test_create_user(shared_config):\n    shared_config["users"].append("alice")\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def example(root: Path, pyproject: str = "") -> Path:
    """The README's example (SLK101 in conftest.py, SLK201 in test_users.py) under ``root``."""
    return write(root, {"pyproject.toml": pyproject, "conftest.py": CONFTEST, "test_users.py": TEST_USERS})


def codes(root: Path, capsys, *flags: str) -> list[tuple[str, str]]:
    """(file, code) of each diagnostic the CLI prints for ``root``."""
    status = main(["--no-cache", "--format", "json", *flags, str(root)])
    out = capsys.readouterr().out
    assert status in (0, 1), out
    import json

    return sorted((Path(d["filename"]).relative_to(root).as_posix(), d["code"]) for d in json.loads(out))


BOTH = [("conftest.py", "SLK101"), ("test_users.py", "SLK201")]


# each option's effect --------------------------------------------------------------------------
def test_no_configuration(tmp_path, capsys):
    assert codes(example(tmp_path), capsys) == BOTH


@pytest.mark.parametrize(
    "table, expected",
    [
        ('select = ["SLK201"]', [("test_users.py", "SLK201")]),
        ('select = ["slk1"]', [("conftest.py", "SLK101")]),  # codes are case-insensitive
        ('ignore = ["SLK101"]', [("test_users.py", "SLK201")]),
        ('ignore = ["SLK"]', []),
        ('select = ["SLK1"]\nextend-select = ["SLK201"]', BOTH),
        ('ignore = ["SLK2"]\nselect = ["SLK201"]', [("test_users.py", "SLK201")]),  # the longer prefix wins
        ('[tool.sessionlint.per-file-ignores]\n"test_*.py" = ["SLK201"]', [("conftest.py", "SLK101")]),
        ('[tool.sessionlint.per-file-ignores]\n"conftest.py" = ["SLK1"]', [("test_users.py", "SLK201")]),
        ('immutable-fixtures = ["shared_config"]', []),
    ],
)
def test_option_effect(tmp_path, capsys, table, expected):
    head = "" if table.startswith("[") else "[tool.sessionlint]\n"
    assert codes(example(tmp_path, head + table + "\n"), capsys) == expected


def test_per_file_ignores_match_paths_below_the_root(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint.per-file-ignores]\n"legacy/*" = ["SLK201"]\n')
    write(tmp_path, {"legacy/test_old.py": TEST_USERS.replace("create_user", "old")})
    assert codes(tmp_path, capsys) == BOTH


def test_extend_exclude_adds_to_the_defaults(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nextend-exclude = ["legacy"]\n')
    write(tmp_path, {"legacy/test_old.py": TEST_USERS, "build/test_built.py": TEST_USERS})
    assert codes(tmp_path, capsys) == BOTH


def test_a_directory_named_on_the_command_line_is_linted_inside_an_excluded_tree(tmp_path, capsys):
    """As in ruff: excludes prune the walk; `sessionlint fixtures_samples/example` still lints
    what it is asked to, while `sessionlint .` skips the excluded tree (README's first command)."""
    example(tmp_path, '[tool.sessionlint]\nextend-exclude = ["samples"]\n')
    write(tmp_path / "samples" / "example", {"conftest.py": (tmp_path / "conftest.py").read_text(),
                                              "test_users.py": TEST_USERS})
    assert codes(tmp_path, capsys) == BOTH
    inner = codes(tmp_path / "samples" / "example", capsys)
    assert sorted(code for _path, code in inner) == ["SLK101", "SLK201"]


def test_exclude_replaces_the_defaults(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nexclude = ["legacy"]\n')
    write(tmp_path, {"legacy/test_old.py": TEST_USERS, "build/test_built.py": TEST_USERS})
    assert codes(tmp_path, capsys) == sorted([*BOTH, ("build/test_built.py", "SLK201")])


REGISTRY_CONFTEST = (
    'import pytest\nimport mylib\n\n\n@pytest.fixture(scope="session")\ndef registry():\n'
    "    return mylib.Registry()\n"
)
SCRAMBLE_TEST = "import mylib\n\n\ndef test_scramble(registry):\n    mylib.scramble(registry)\n"


def test_extra_mutable_types(tmp_path, capsys):
    write(tmp_path, {"pyproject.toml": "", "conftest.py": REGISTRY_CONFTEST})
    assert codes(tmp_path, capsys) == []
    write(tmp_path, {"pyproject.toml": '[tool.sessionlint]\nextra-mutable-types = ["mylib.Registry"]\n'})
    assert codes(tmp_path, capsys) == [("conftest.py", "SLK101")]


def test_extra_mutating_functions(tmp_path, capsys):
    write(tmp_path, {"pyproject.toml": "", "conftest.py": REGISTRY_CONFTEST, "test_a.py": SCRAMBLE_TEST})
    assert codes(tmp_path, capsys) == []
    write(tmp_path, {"pyproject.toml": '[tool.sessionlint]\nextra-mutating-functions = ["mylib.scramble"]\n'})
    assert codes(tmp_path, capsys) == [("test_a.py", "SLK201")]


def test_extra_resources(tmp_path, capsys):
    conftest = "import pytest\nimport mylib\n\n\n@pytest.fixture\ndef conn():\n    c = mylib.connect()\n    yield c\n"
    write(tmp_path, {"pyproject.toml": "", "conftest.py": conftest})
    assert codes(tmp_path, capsys) == []
    write(tmp_path, {"pyproject.toml": '[tool.sessionlint.extra-resources]\n"mylib.connect" = "close"\n'})
    assert codes(tmp_path, capsys) == [("conftest.py", "SLK103")]
    assert main(["--no-cache", "--diff", str(tmp_path)]) == 1
    assert "+    c.close()\n" in capsys.readouterr().out


def test_extra_global_targets(tmp_path, capsys):
    conftest = (
        "import pytest\nimport pandas\n\n\n@pytest.fixture\ndef wide():\n"
        '    pandas.set_option("display.width", 300)\n    yield\n'
    )
    write(tmp_path, {"pyproject.toml": "", "conftest.py": conftest})
    assert codes(tmp_path, capsys) == []
    write(tmp_path, {"pyproject.toml": '[tool.sessionlint]\nextra-global-targets = ["pandas.set_option"]\n'})
    assert codes(tmp_path, capsys) == [("conftest.py", "SLK301")]


def test_domain_options_reach_the_settings(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.sessionlint]\n"
        'extra-global-targets = ["myapp.settings", "django.conf.settings"]\n'
        'immutable-fixtures = ["frozen"]\n'
        'extra-mutable-types = ["mylib.Registry"]\n'
        'extra-mutating-functions = ["mylib.scramble"]\n'
        "[tool.sessionlint.extra-resources]\n"
        '"mylib.connect" = "close"\n'
        '"mylib.Pool" = "shutdown()"\n'
        '"kafka.Consumer" = ".unsubscribe()"\n'
        '"mylib.make_dir" = "shutil.rmtree"\n'
    )
    settings, extra = config.resolve(str(tmp_path))
    assert settings.extra_global_targets == ("myapp.settings", "django.conf.settings")
    assert settings.immutable_fixtures == ("frozen",)
    assert settings.extra_mutable_types == ("mylib.Registry",)
    assert settings.extra_mutating_functions == ("mylib.scramble",)
    # a release method is stored as a bare name, however it was written; a dotted one is a function
    assert settings.extra_resources == (
        ("mylib.connect", "close"), ("mylib.Pool", "shutdown"), ("kafka.Consumer", "unsubscribe"),
        ("mylib.make_dir", "shutil.rmtree"),
    )  # fmt: skip
    assert settings.config_file == str(tmp_path / "pyproject.toml") and extra == {}
    # they change what is extracted per file, so they are part of the cache key
    assert settings.digest() != Settings(root=str(tmp_path)).digest()


def test_cache_dir_and_jobs(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\ncache-dir = "cache/sl"\njobs = 2\n')
    settings, extra = config.resolve(str(tmp_path))
    assert extra == {"cache_dir": "cache/sl", "jobs": 2}
    assert main([str(tmp_path)]) == 1
    capsys.readouterr()
    assert list((tmp_path / "cache" / "sl").glob("facts-*.pickle"))
    assert not (tmp_path / ".sessionlint_cache").exists()


def test_python_files_come_from_pytest_configuration(tmp_path, capsys):
    example(tmp_path, '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n')
    (tmp_path / "test_users.py").rename(tmp_path / "check_users.py")
    assert codes(tmp_path, capsys) == [("check_users.py", "SLK201"), ("conftest.py", "SLK101")]


# errors and warnings ----------------------------------------------------------------------------
def test_unknown_key_is_a_warning_naming_it(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nextend_select = ["SLK2"]\nfrobnicate = 1\n')
    assert main(["--no-cache", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "warning" in err and "tool.sessionlint.frobnicate" in err
    assert "tool.sessionlint.extend_select" in err and "did you mean 'extend-select'" in err


def test_code_that_matches_no_rule_is_an_error(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nignore = ["SKL201"]\n')
    assert main(["--no-cache", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "tool.sessionlint.ignore: unknown rule selector 'SKL201'" in err and len(err.splitlines()) == 1
    assert main(["--no-cache", "--isolated", "--select", "XYZ9", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == "sessionlint: error: --select: unknown rule selector 'XYZ9' (see `sessionlint rule --all`)\n"


def test_repeated_selection_flags_combine(tmp_path, capsys):
    example(tmp_path)
    capsys.readouterr()
    main(["--no-cache", "--isolated", "--select", "SLK101", "--select", "SLK201", str(tmp_path)])
    out = capsys.readouterr().out
    assert "SLK101" in out and "SLK201" in out
    main(["--no-cache", "--isolated", "--ignore", "SLK101", "--ignore", "SLK201", str(tmp_path)])
    out = capsys.readouterr().out
    assert "SLK101" not in out and "SLK201" not in out


def test_extend_ignore_adds_to_the_configured_ignores(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nignore = ["SLK101"]\n')
    capsys.readouterr()
    assert main(["--no-cache", "--extend-ignore", "SLK201", str(tmp_path)]) == 0
    example(tmp_path, '[tool.sessionlint]\nextend-ignore = ["SLK201"]\n')
    main(["--no-cache", str(tmp_path)])
    out = capsys.readouterr().out
    assert "SLK101" in out and "SLK201" not in out


@pytest.mark.parametrize(
    "table, key",
    [
        ('select = "SLK201"', "select"),
        ("ignore = [101]", "ignore"),
        ('extend-select = ["SLK-2"]', "extend-select"),
        ('exclude = "build"', "exclude"),
        ("extend-exclude = [true]", "extend-exclude"),
        ('immutable-fixtures = ["not a name"]', "immutable-fixtures"),
        ('immutable-fixtures = "config"', "immutable-fixtures"),
        ('extra-mutable-types = ["mylib.Reg istry"]', "extra-mutable-types"),
        ("extra-mutating-functions = {}", "extra-mutating-functions"),
        ('extra-global-targets = [["os"]]', "extra-global-targets"),
        ('extra-resources = ["mylib.connect"]', "extra-resources"),
        ('extra-resources = {"mylib.connect" = 1}', "extra-resources"),
        ('extra-resources = {"mylib.connect" = "close it"}', "extra-resources"),
        ('extra-resources = {"my lib" = "close"}', "extra-resources"),
        ('per-file-ignores = ["test_*.py"]', "per-file-ignores"),
        ('per-file-ignores = {"test_*.py" = "SLK201"}', "per-file-ignores"),
        ('per-file-ignores = {"test_*.py" = ["SLK 201"]}', "per-file-ignores"),
        ("cache-dir = 3", "cache-dir"),
        ("jobs = 0", "jobs"),
        ('jobs = "4"', "jobs"),
        ("jobs = true", "jobs"),
    ],
)
def test_wrong_type_exits_2_naming_the_key(tmp_path, capsys, table, key):
    example(tmp_path, f"[tool.sessionlint]\n{table}\n")
    assert main(["--no-cache", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sessionlint: error: ")
    assert f"tool.sessionlint.{key}" in lines[0] and str(tmp_path / "pyproject.toml") in lines[0]
    assert "Traceback" not in captured.err


def test_table_itself_of_the_wrong_type(tmp_path, capsys):
    example(tmp_path, '[tool]\nsessionlint = "all"\n')
    assert main([str(tmp_path)]) == 2
    assert "tool.sessionlint must be a table" in capsys.readouterr().err


def test_invalid_toml_exits_2(tmp_path, capsys):
    example(tmp_path, "[tool.sessionlint\nselect = [\n")
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid TOML" in err and "pyproject.toml" in err


# --config and --isolated ---------------------------------------------------------------------------
def test_config_file_with_options_at_top_level(tmp_path, capsys):
    example(tmp_path)
    (tmp_path / "sessionlint.toml").write_text('select = ["SLK201"]\n')
    flags = ("--config", str(tmp_path / "sessionlint.toml"))
    assert codes(tmp_path, capsys, *flags) == [("test_users.py", "SLK201")]


def test_config_file_with_a_tool_table(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nselect = ["SLK201"]\n')
    (tmp_path / "other.toml").write_text('[tool.sessionlint]\nselect = ["SLK101"]\n')
    assert codes(tmp_path, capsys, "--config", str(tmp_path / "other.toml")) == [("conftest.py", "SLK101")]


def test_missing_config_file_exits_2(tmp_path, capsys):
    example(tmp_path)
    assert main(["--config", str(tmp_path / "nope.toml"), str(tmp_path)]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_isolated_ignores_the_configuration(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nselect = ["SLK201"]\nbogus = 1\n')
    assert codes(tmp_path, capsys, "--isolated") == BOTH
    assert "bogus" not in capsys.readouterr().err


def test_isolated_ignores_broken_configuration_too(tmp_path, capsys):
    example(tmp_path, "[tool.sessionlint]\njobs = 0\n")
    assert codes(tmp_path, capsys, "--isolated") == BOTH


def test_isolated_and_config_cannot_be_combined(tmp_path, capsys):
    example(tmp_path)
    (tmp_path / "s.toml").write_text("")
    assert main(["--isolated", "--config", str(tmp_path / "s.toml"), str(tmp_path)]) == 2
    assert "--config and --isolated cannot be combined" in capsys.readouterr().err


def test_command_line_select_replaces_the_configured_selection(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nselect = ["SLK201"]\nextend-select = ["SLK201"]\n')
    assert codes(tmp_path, capsys, "--select", "SLK101") == [("conftest.py", "SLK101")]
    assert codes(tmp_path, capsys, "--extend-select", "SLK101") == BOTH


def test_command_line_ignore_adds_to_the_configured_one(tmp_path, capsys):
    example(tmp_path, '[tool.sessionlint]\nignore = ["SLK201"]\n')
    assert codes(tmp_path, capsys, "--ignore", "SLK101") == []


# finding the configuration ------------------------------------------------------------------------
def test_nearest_pyproject_with_a_table_wins(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[tool.sessionlint]\nselect = ["SLK201"]\n',
        "pkg/pyproject.toml": "[project]\nname = 'pkg'\n",  # no [tool.sessionlint]: looked through
        "pkg/tests/pytest.ini": "[pytest]\n",
        "pkg/tests/test_a.py": "",
    })  # fmt: skip
    root, found = config.locate(str(tmp_path / "pkg" / "tests" / "test_a.py"))
    assert (root, found) == (str(tmp_path), str(tmp_path / "pyproject.toml"))
    write(tmp_path, {"pkg/pyproject.toml": '[tool.sessionlint]\nselect = ["SLK101"]\n'})
    assert config.locate(str(tmp_path / "pkg" / "tests"))[1] == str(tmp_path / "pkg" / "pyproject.toml")


def test_without_configuration_the_root_is_pytests_rootdir(tmp_path):
    write(tmp_path, {"pkg/setup.cfg": "[tool:pytest]\n", "pkg/tests/setup.cfg": "", "pkg/tests/test_a.py": ""})
    # an empty setup.cfg is no pytest configuration: pytest (and sessionlint) look further up
    assert config.locate(str(tmp_path / "pkg" / "tests" / "test_a.py")) == (str(tmp_path / "pkg"), None)


def test_configuration_in_a_parent_applies_to_a_subdirectory_run(tmp_path, capsys):
    example(tmp_path / "proj", '[tool.sessionlint]\nselect = ["SLK201"]\n')
    (tmp_path / "proj" / "tests").mkdir()
    for name in ("test_users.py", "conftest.py"):
        (tmp_path / "proj" / name).rename(tmp_path / "proj" / "tests" / name)
    (tmp_path / "proj" / "tests" / "pytest.ini").write_text("[pytest]\n")
    assert main(["--no-cache", str(tmp_path / "proj" / "tests")]) == 1
    out = capsys.readouterr().out
    assert "SLK201" in out and "SLK101" not in out


def test_settings_for_path(tmp_path):
    example(tmp_path, '[tool.sessionlint]\nselect = ["SLK201"]\nimmutable-fixtures = ["x"]\n')
    (tmp_path / "sub").mkdir()
    config.settings_for_path.cache_clear()
    first = config.settings_for_path(str(tmp_path / "test_users.py"))
    assert first.select == ("SLK201",) and first.immutable_fixtures == ("x",)
    assert first.root == str(tmp_path) and first.config_file == str(tmp_path / "pyproject.toml")
    assert config.settings_for_path(str(tmp_path / "conftest.py")) is first  # memoized per directory
    assert config.settings_for_path(str(tmp_path / "sub" / "test_new.py")).select == ("SLK201",)
    # a file that does not exist yet (an unsaved editor buffer) gets its directory's settings
    assert config.settings_for_path(str(tmp_path / "test_unsaved.py")) is first


def test_settings_for_path_raises_config_error(tmp_path):
    example(tmp_path, "[tool.sessionlint]\nselect = 1\n")
    config.settings_for_path.cache_clear()
    with pytest.raises(ConfigError, match="tool.sessionlint.select"):
        config.settings_for_path(str(tmp_path / "test_users.py"))


# another tool's pyproject.toml --------------------------------------------------------------------
BROKEN = '[build-system]\nrequires = ["poetry-core"\n[tool.poetry]\nname = "x"\n'  # as poetry-core's fixtures


@pytest.mark.parametrize("where", ["tests/fixtures/bad/pyproject.toml", "pyproject.toml"])
def test_a_pyproject_that_does_not_parse_and_is_not_ours_does_not_stop_the_run(tmp_path, capsys, where):
    example(tmp_path, '[tool.sessionlint]\nselect = ["SLK201"]\n' if where != "pyproject.toml" else "")
    write(tmp_path, {where: BROKEN, "tests/fixtures/bad/test_more.py": TEST_USERS})
    expected = [("test_users.py", "SLK201"), ("tests/fixtures/bad/test_more.py", "SLK201")]
    if where == "pyproject.toml":  # no configuration at all: the defaults
        expected = sorted([*expected, ("conftest.py", "SLK101")])
    assert codes(tmp_path, capsys) == expected
    assert "error" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "broken",
    [
        "[tool.sessionlint]\nselect = [\n",  # our table, in a file that does not parse
        '[tool.sessionlint.per-file-ignores]\n"a.py" = \n',
        '[tool]\nsessionlint = { select = ["SLK1" }\n',
        "tool.sessionlint.select = [\n",
    ],
)
def test_a_nested_pyproject_with_our_table_that_does_not_parse_is_still_an_error(tmp_path, capsys, broken):
    example(tmp_path)
    write(tmp_path, {"sub/pyproject.toml": broken, "sub/test_more.py": TEST_USERS})
    assert main(["--no-cache", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid TOML" in err and "sub/pyproject.toml" in err


def test_a_nested_pyproject_with_a_bad_table_is_still_an_error(tmp_path, capsys):
    example(tmp_path)
    write(tmp_path, {"sub/pyproject.toml": "[tool.sessionlint]\nselect = 1\n", "sub/test_more.py": TEST_USERS})
    assert main(["--no-cache", str(tmp_path)]) == 2
    assert "tool.sessionlint.select" in capsys.readouterr().err
