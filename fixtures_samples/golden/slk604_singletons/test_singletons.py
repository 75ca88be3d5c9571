def test_config_set(config):
    config.set("debug", True)  # expect: SLK604


def test_config_item(config):
    config.values["x"] = 1  # expect: SLK604


def test_registry(registry):
    registry.register("ping", print)  # expect: SLK604


def test_registry_item(registry):
    registry.handlers["pong"] = print  # expect: SLK604


def test_lazy(lazy):
    lazy.register("ping", print)  # expect: SLK604


def test_session_config_call(session_config):
    session_config.set("debug", True)  # expect: SLK604


def test_instance_call(instance):
    instance.register("ping", print)  # expect: SLK604


def test_instance_item(instance):
    # SLK102 says the fixture shares module state: SLK201 reports the write, SLK604 does not again
    instance.handlers["pong"] = print  # expect: SLK201


# silent ----------------------------------------------------------------------------------
def test_config_read(config):
    assert config.get("debug") is None or True


def test_reinit(reinit):
    reinit.set("debug", True)  # __init__ resets values on every Reinit()


def test_factory(factory):
    factory.set("debug", True)  # Factory() is a fresh object


def test_fresh(fresh):
    fresh.register("ping", print)  # make_registry() builds a new one


def test_cleaned(cleaned):
    cleaned.register("ping", print)  # the fixture clears handlers after yield


def test_lookup(registry):
    registry.lookup("ping")


def test_reset_named(registry, reset_handlers):
    registry.register("ping", print)  # a fixture it requests names 'handlers'


def test_session_config_item(session_config):
    session_config.values["x"] = 1  # expect: SLK201
