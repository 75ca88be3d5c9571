class Registry:
    def __init__(self):
        self.handlers = {}

    def register(self, name, func):
        self.handlers[name] = func

    def lookup(self, name):
        return self.handlers[name]


_registry = Registry()


def get_registry():
    return _registry


_lazy = None


def get_lazy():
    global _lazy
    if _lazy is None:
        _lazy = Registry()
    return _lazy


def make_registry():
    return Registry()


def get_instance():
    return _registry
