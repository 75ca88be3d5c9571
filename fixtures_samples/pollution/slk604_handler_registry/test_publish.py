def test_no_subscribers_no_results(bus):
    assert bus.publish("saved", "x") == []
