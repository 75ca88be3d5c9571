class App:
    def __init__(self):
        self.config = {}


_app = App()
