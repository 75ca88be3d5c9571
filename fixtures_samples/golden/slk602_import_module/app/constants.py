import os

BIN_ROOT = os.environ.get("BIN_ROOT", "/usr/bin")
