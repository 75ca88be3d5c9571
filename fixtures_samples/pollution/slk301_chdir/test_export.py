import os
from pathlib import Path


def test_export_writes_into_cwd(tmp_path):
    os.chdir(tmp_path)
    Path("export.csv").write_text("id,name\n")
    assert (tmp_path / "export.csv").exists()
