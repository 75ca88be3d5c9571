class Client:
    retries = 3

    def attempts(self):
        return self.retries + 1


client = Client()
