from unittest import mock

from app import plugins
from app.plugins import (
    add_hook, cached, get_plugin, hook, mark_ready, plugin, register, register_twice, reset_all, see, set_hooks,
)

register("import-time", object)  # once, at import: not a test's


def test_register():
    register("dummy", object)  # expect: SLK605
    assert get_plugin("dummy") is object


def test_decorator():
    plugin(type("Dummy", (), {}))  # expect: SLK605


def test_hook():
    add_hook(print)  # expect: SLK605


def test_through_a_helper():
    register_twice("other", object)  # expect: SLK605


def test_module_attribute():
    plugins.register("mod", object)  # expect: SLK605


def test_set():
    see("x")  # expect: SLK605


def test_decorates():
    @plugin  # expect: SLK605
    class Local:
        pass


def test_decorator_factory():
    @hook("local")  # expect: SLK605
    def local():
        pass


def test_uses_fixture(with_hook):
    pass


class TestWithSetup:
    def test_register(self):
        register("in-class", object)  # expect: SLK605


# silent ----------------------------------------------------------------------------------
def test_patched_dict():
    with mock.patch.dict(plugins._PLUGINS):
        register("dummy", object)


def test_finally():
    try:
        register("dummy", object)
    finally:
        plugins.unregister("dummy")


def test_already_registered():
    register("csv", None)  # the module registers "csv" itself


def test_already_registered_at_import():
    register("json", None)


def test_isolated(isolated_plugins):
    register("dummy", object)


def test_unregistering_fixture(unregisters):
    register("dummy", object)


def test_hook_cleaned(hook_cleaned):
    pass


def test_session_hook(session_hook):
    pass


def test_memo():
    cached("key")  # a memo: returns what it keeps


def test_flag():
    mark_ready()  # writes no argument


def test_rebinds():
    reset_all(object)  # rebinds the global wholesale


def test_decorates_a_builtin_name():
    @plugin
    class Builtin:  # the module registers Builtin itself
        pass


def test_replaces_wholesale():
    set_hooks([print])  # a slice assignment replaces the list: SLK301's business, not a registration


def test_read():
    assert get_plugin("csv") is None


def test_setitem(monkeypatch):
    monkeypatch.setitem(plugins._PLUGINS, "dummy", object)
    register("dummy", object)


def test_cleanup_fixture_registers(registered_dummy):
    pass  # the fixture is reported, where it registers


class TestTearDown:
    def teardown_method(self):
        plugins.unregister("in-class")

    def test_register(self):
        register("in-class", object)
