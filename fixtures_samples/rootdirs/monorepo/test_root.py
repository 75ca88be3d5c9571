def test_root(registry):
    registry.append("root")  # expect: SLK201
