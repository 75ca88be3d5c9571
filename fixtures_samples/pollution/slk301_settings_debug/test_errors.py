from app import views


def test_error_page_hides_details():
    assert views.error_page(ValueError("boom")) == "Something went wrong"
