def test_entry_point_is_importable():
    import app.__main__

    assert app.__main__
