def fire(callback):
    callback()


def test_callback_fires(stats):
    def on_event():
        stats["events"] += 1

    fire(on_event)
    assert stats["events"] == 1


def test_no_events_yet(stats):
    assert stats["events"] == 0
