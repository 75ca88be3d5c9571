def validate_types(row):
    total = row.pop("total")
    return isinstance(total, int)
