def test_broken(:  # expect: SLK001
    pass
