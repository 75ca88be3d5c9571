def test_register(registry):
    registry["csv"] = object()  # expect: SLK201


def test_copy_is_fine(registry_copy, defaults, fresh):
    registry_copy["x"] = 1
    fresh["y"] = 2
