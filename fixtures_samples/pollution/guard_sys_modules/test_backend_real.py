def test_real_backend():
    import jsonbackend

    assert jsonbackend.NAME == "real"
