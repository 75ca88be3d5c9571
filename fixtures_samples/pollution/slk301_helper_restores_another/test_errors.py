from app import config


def test_error_page_hides_details():
    assert config.error_page(ValueError("x")) == "Something went wrong"
