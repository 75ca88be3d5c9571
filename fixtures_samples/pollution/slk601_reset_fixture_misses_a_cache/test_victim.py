from app.config import get_db_url


def test_db_lives_in_this_tests_data_dir(tmp_path):
    assert get_db_url() == f"sqlite:///{tmp_path}/app.db"
