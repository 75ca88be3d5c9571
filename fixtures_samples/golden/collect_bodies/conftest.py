"""Module level of a conftest configures the session: silent."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("APP_ENV", "test")
