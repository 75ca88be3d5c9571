HANDLERS = []
DEFAULTS = {"retries": 3, "timeout": 10}


def register(handler):
    HANDLERS.append(handler)
