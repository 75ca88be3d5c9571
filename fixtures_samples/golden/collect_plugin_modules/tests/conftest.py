pytest_plugins = ["mypkg.testing"]

from util.fixtures import *  # noqa: F401,F403
