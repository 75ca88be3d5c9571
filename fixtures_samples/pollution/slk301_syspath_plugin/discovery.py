import importlib.util

KNOWN_PLUGINS = ("fancy_backend", "turbo_backend")


def installed_plugins():
    importlib.invalidate_caches()
    return [name for name in KNOWN_PLUGINS if importlib.util.find_spec(name) is not None]
