class Registry:
    handlers = {}
    names = []

    def register(self, name, func):
        self.handlers[name] = func

    def add(self, name):
        self.names.append(name)

    def lookup(self, name):
        return self.handlers[name]


class Fresh:
    handlers = {}

    def __init__(self):
        self.handlers = {}

    def register(self, name, func):
        self.handlers[name] = func


class Config:
    _instance = None

    def __init__(self):
        self.values = {}

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def set(self, key, value):
        self.values[key] = value
