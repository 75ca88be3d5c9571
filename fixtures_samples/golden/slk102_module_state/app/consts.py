import os
from pathlib import Path

DEFAULT_PORT = 8888
HOST = "example.org"
URL = "http://" + HOST
DATA = Path(__file__).parent / "data"
REGION = os.environ.get("REGION", "eu")
DELETE = object()
TIMEOUTS = (1, 2.5)
SETTINGS = {"debug": False}
handlers = []
