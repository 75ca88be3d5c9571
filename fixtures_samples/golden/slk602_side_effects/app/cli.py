import os

RUNS = []
BIN_ROOT = os.environ.get("BIN_ROOT", "/usr/bin")


def main():
    RUNS.append("run")
