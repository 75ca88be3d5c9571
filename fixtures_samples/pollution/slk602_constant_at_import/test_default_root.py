def test_default_bin_root():
    from app.constants import BIN_ROOT

    assert BIN_ROOT == "/usr/bin"
