def test_register(registry):
    registry.register("a", print)  # expect: SLK604


def test_item(registry):
    registry.handlers["b"] = print  # expect: SLK604


def test_append(registry):
    registry.names.append("x")  # expect: SLK604


def test_config(config):
    config.set("debug", True)  # expect: SLK604


def test_config_attr(config):
    config.values["x"] = 1  # shared (SLK102): SLK201 reports the write, SLK604 not again  # expect: SLK201


# silent ----------------------------------------------------------------------------------
def test_lookup(registry):
    assert registry.lookup("a") is print


def test_fresh(fresh):
    fresh.register("a", print)  # Fresh rebinds self.handlers in __init__


def test_plain_config(plain_config):
    plain_config.set("debug", True)  # Config() is not the singleton


def test_cleaned(cleaned):
    cleaned.register("a", print)  # the fixture clears Registry.handlers after yield


def test_patched(registry, monkeypatch):
    monkeypatch.setattr(registry, "handlers", {})
    registry.register("a", print)


def test_rebound(registry):
    registry = {}
    registry["x"] = 1
