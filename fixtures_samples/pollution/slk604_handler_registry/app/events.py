class EventBus:
    handlers = {}

    def subscribe(self, event, handler):
        self.handlers.setdefault(event, []).append(handler)

    def publish(self, event, payload):
        return [handler(payload) for handler in self.handlers.get(event, [])]
