from app.config import get_db_url


def test_db_url():
    # every test of this directory runs with the same DATA_DIR: the fixture clears no cache and
    # sessionlint does not guess what it is for
    assert get_db_url()
