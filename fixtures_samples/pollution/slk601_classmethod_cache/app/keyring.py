import functools
import os


class Keyring:
    @classmethod
    @functools.cache
    def is_available(cls):
        return os.environ.get("APP_KEYRING") != "off"


def status():
    return "keyring: " + ("on" if Keyring.is_available() else "off")
