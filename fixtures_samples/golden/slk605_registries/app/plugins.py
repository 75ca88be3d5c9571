_PLUGINS = {"csv": None}
_HOOKS = []
_SEEN = set()
_CACHE = {}
_STATE = {}


def register(name, plugin):
    _PLUGINS[name] = plugin


def plugin(cls):
    _PLUGINS[cls.__name__] = cls
    return cls


def hook(name):
    def decorate(func):
        _PLUGINS[name] = func
        return func

    return decorate


def set_hooks(hooks):
    _HOOKS[:] = hooks


def add_hook(hook):
    _HOOKS.append(hook)


def register_twice(name, plugin):
    register(name, plugin)


def unregister(name):
    _PLUGINS.pop(name, None)


def clear_hooks():
    _HOOKS.clear()


def get_plugin(name):
    return _PLUGINS[name]


def cached(key):
    return _CACHE.setdefault(key, len(key))


def mark_ready():
    _STATE["ready"] = True


def reset_all(new):
    global _PLUGINS
    _PLUGINS = {"csv": new}


def see(item):
    _SEEN.add(item)


@plugin
class Builtin:
    pass


register("json", None)
