DEBUG = False
HANDLERS = []
MODE = "default"
