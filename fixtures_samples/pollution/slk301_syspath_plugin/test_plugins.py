import sys

import discovery


def test_discovers_installed_plugin(tmp_path):
    (tmp_path / "fancy_backend.py").write_text("NAME = 'fancy'\n")
    sys.path.insert(0, str(tmp_path))
    assert discovery.installed_plugins() == ["fancy_backend"]
