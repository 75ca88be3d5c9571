class Settings:
    """One Settings object per process: ``Settings()`` always returns it."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
            cls._instance.flags = {}
        return cls._instance

    def enable(self, flag):
        self.flags[flag] = True

    def enabled(self, flag):
        return self.flags.get(flag, False)
