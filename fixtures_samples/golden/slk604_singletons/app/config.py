class Config:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
            cls._instance.values = {}
        return cls._instance

    def set(self, key, value):
        self.values[key] = value

    def get(self, key):
        return self.values.get(key)


class Reinit:
    """A ``__new__`` singleton whose ``__init__`` resets what ``set`` writes on every call."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self):
        self.values = {}

    def set(self, key, value):
        self.values[key] = value


class Factory:
    """``__new__`` that hands out a fresh object: no singleton."""

    def __new__(cls):
        return super().__new__(cls)

    def set(self, key, value):
        self.values = {key: value}
