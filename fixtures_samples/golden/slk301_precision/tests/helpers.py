import os


def restore_env():
    os.environ.pop("APP_MODE", None)


def unrelated():
    return 1
