from app.cast import validate_types


def test_types_are_valid(extracted):
    assert validate_types(extracted)
