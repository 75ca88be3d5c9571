def test_sub(items):
    items.append(1)  # a function-scoped override: fresh list, silent
