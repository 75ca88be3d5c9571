from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures_samples"


@pytest.fixture
def project(tmp_path: Path):
    """Write a small project: ``project({"conftest.py": "...", "test_a.py": "..."})``."""

    def write(files: dict[str, str]) -> Path:
        (tmp_path / "pyproject.toml").write_text("")
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return tmp_path

    return write


@pytest.fixture(autouse=True)
def _no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
