"""What ``pytest --sessionlint-guard`` costs on a suite of trivial tests.

Generates a temporary suite (by default 2,000 tests that all use one session
fixture holding a 10,000-element list), runs it with the same interpreter
without and with the guard, alternating, and prints the best wall time of
each and their ratio, and the same for CPU time (steadier on a busy machine).
Exit status 1 when the wall-time ratio misses the target.

    python bench/guard_overhead.py [--tests 2000] [--size 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TESTS_PER_FILE = 100
CONFTEST = """\
import pytest


@pytest.fixture(scope="session")
def shared():
    return list(range({size}))
"""
TEST = """
def test_{index:05d}(shared):
    assert len(shared) == {size}
"""
PYTEST_ARGS = ("-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-o", "addopts=")


def write_suite(root: Path, tests: int, size: int) -> None:
    """Write conftest.py, pytest.ini and ``tests`` trivial tests under `root`."""
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "conftest.py").write_text(CONFTEST.format(size=size))
    for start in range(0, tests, TESTS_PER_FILE):
        body = "".join(
            TEST.format(index=index, size=size)
            for index in range(start, min(start + TESTS_PER_FILE, tests))
        )
        (root / f"test_bench_{start // TESTS_PER_FILE:03d}.py").write_text(body)


def run_pytest(root: Path, extra: Sequence[str]) -> tuple[float, float]:
    """Wall and CPU time of one pytest run in `root`; raises if it did not pass."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    command = [sys.executable, "-m", "pytest", *PYTEST_ARGS, *extra]
    cpu_before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    if extra and "sessionlint guard" not in done.stdout:
        raise RuntimeError(f"the guard did not report:\n{done.stdout}")
    return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000, help="number of tests (2000)")
    parser.add_argument("--size", type=int, default=10_000, help="fixture list length (10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best kept (3)")
    parser.add_argument("--target", type=float, default=1.3, help="maximal ratio (1.3)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="guard-bench-") as tmp:
        root = Path(tmp)
        write_suite(root, args.tests, args.size)
        plain, guarded = [], []
        for _ in range(args.repeat):  # alternate, so load changes hit both alike
            plain.append(run_pytest(root, ()))
            guarded.append(run_pytest(root, ("--sessionlint-guard",)))

    print(f"suite: {args.tests} tests, session fixture of {args.size} elements")
    ratios = [_report(label, [p[i] for p in plain], [g[i] for g in guarded])
              for i, label in enumerate(("wall", "cpu"))]
    print(f"target: wall ratio < {args.target:g}x")
    return 0 if ratios[0] < args.target else 1


def _report(label: str, plain: list[float], guarded: list[float]) -> float:
    """Print the best times of both runs and their ratio; return the ratio."""
    ratio = min(guarded) / min(plain)
    print(f"{label:>4} plain pytest:         {min(plain):6.2f} s  (runs: {_times(plain)})")
    print(f"{label:>4} --sessionlint-guard:  {min(guarded):6.2f} s  (runs: {_times(guarded)})")
    print(f"{label:>4} ratio:                {ratio:6.2f}x")
    return ratio


def _times(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    raise SystemExit(main())
