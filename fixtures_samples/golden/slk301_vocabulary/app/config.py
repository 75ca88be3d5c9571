TIMEOUT = 10


class Settings:
    PORT = 8080


settings = Settings()
