def test_subscriber_is_called(bus):
    bus.subscribe("saved", str.upper)
    assert bus.publish("saved", "x") == ["X"]
