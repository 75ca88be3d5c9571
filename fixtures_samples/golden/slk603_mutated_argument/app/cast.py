import copy


def validate_types(row):
    total = row.pop("total")
    return total >= 0


def check(row):
    return validate_types(row)


def copy_then_pop(row):
    row = copy.deepcopy(row)
    return row.pop("total")


def read_only(row):
    return row.get("total")
