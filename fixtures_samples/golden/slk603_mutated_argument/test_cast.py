from app import cast
from app.cast import check, copy_then_pop, read_only, validate_types

ROWS = {"total": 1}


def test_validate(extracted):
    assert validate_types(extracted)  # expect: SLK603


def test_through_a_call(extracted):
    assert check(row=extracted)  # expect: SLK603


def test_module_container():
    assert cast.validate_types(ROWS)  # expect: SLK603


# silent ----------------------------------------------------------------------------------
def test_copies_first(extracted):
    assert copy_then_pop(extracted) == 3


def test_reads(extracted):
    assert read_only(extracted) == 3


def test_function_scoped(fresh):
    assert validate_types(fresh)


def test_local_container():
    ROWS = {"total": 2}
    assert validate_types(ROWS)
