class Settings:
    def __init__(self):
        self.debug = False
        self.allowed_hosts = ["localhost"]
