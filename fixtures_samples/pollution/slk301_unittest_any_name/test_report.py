import report


def test_report_is_english():
    assert report.title() == "Report"
