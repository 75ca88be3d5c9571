def test_register(registry):
    registry["csv"] = "CsvReader"
    assert "csv" in registry


def test_registry_starts_empty(registry):
    assert registry == {}
