_PLUGINS = {}


def register(name, plugin):
    _PLUGINS[name] = plugin


def available():
    return sorted(_PLUGINS)


register("csv", object)
