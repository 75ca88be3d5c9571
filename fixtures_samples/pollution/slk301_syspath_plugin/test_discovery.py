import discovery


def test_no_plugins_installed():
    assert discovery.installed_plugins() == []
