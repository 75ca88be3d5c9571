import pytest as pt


class TestData:
    @pt.fixture(scope="class")
    def users_file(self, tmp_path_factory):
        with pt.MonkeyPatch.context() as monkeypatch:
            tmp_path = tmp_path_factory.mktemp("users_file")
            monkeypatch.chdir(tmp_path)
            path = tmp_path / "users.json"; path.write_text("[]")
            yield path

    def test_data(self, data_dir, cache_dir, env, users_file):
        assert data_dir.exists()
