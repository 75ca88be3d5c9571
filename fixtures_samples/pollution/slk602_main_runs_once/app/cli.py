RUNS = []


def main():
    RUNS.append("run")
