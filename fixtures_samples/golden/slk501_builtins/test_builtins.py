import pytest


class TestOutput:
    @pytest.fixture(scope="class")
    def banner(self, capsys):  # expect: SLK501
        print("hello")
        return capsys.readouterr().out

    def test_banner(self, banner, data_dir, legacy_dir, env, quiet, patched):
        assert banner
