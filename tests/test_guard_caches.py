"""The guard confirms SLK601: a memoized first-party function left holding a result computed under a patch."""

from __future__ import annotations

import pytest

SETTINGS = (
    "import functools\nimport os\n\n\n@functools.lru_cache\ndef get_config():\n"
    "    return {'debug': os.environ.get('APP_DEBUG') == '1'}\n"
)


def _run(pytester: pytest.Pytester, tests: str) -> list[str]:
    pytester.makepyfile(**{"app/__init__.py": "", "app/settings.py": SETTINGS, "test_app.py": tests})
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", "--sessionlint-guard")
    lines = result.outlines
    start = max(i for i, line in enumerate(lines) if "sessionlint guard" in line and line.startswith("="))
    return [line for line in lines[start + 1 :] if line.startswith("test_")]


def test_a_cache_filled_under_a_patch_is_reported_and_predicted(pytester: pytest.Pytester) -> None:
    tests = (
        "from app.settings import get_config\n\n\n"
        "def test_debug(monkeypatch):\n    monkeypatch.setenv('APP_DEBUG', '1')\n    assert get_config()['debug']\n"
    )
    [line] = _run(pytester, tests)
    assert line.startswith(
        "test_app.py::test_debug left app.settings.get_config() caching 1 result computed while "
        "os.environ['APP_DEBUG'] was patched [predicted by sessionlint SLK601 at test_app.py:6"
    ), line


def test_a_cache_cleared_after_the_test_or_filled_without_a_patch_is_not(pytester: pytest.Pytester) -> None:
    tests = (
        "import pytest\nfrom app.settings import get_config\n\n\n"
        "@pytest.fixture\ndef clean():\n    yield\n    get_config.cache_clear()\n\n\n"
        "def test_cleared(clean, monkeypatch):\n    monkeypatch.setenv('APP_DEBUG', '1')\n    assert get_config()['debug']\n\n\n"
        "def test_unpatched():\n    assert get_config() is get_config()\n"
    )
    assert _run(pytester, tests) == []
