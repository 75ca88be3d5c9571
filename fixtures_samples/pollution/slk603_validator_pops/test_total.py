def test_total_is_extracted(extracted):
    assert extracted["total"] == 3
