def test_top(items):
    items.append(1)  # expect: SLK201
