#!/usr/bin/env python3
"""Cost of the SLK6xx summaries on a whole repository (source plus tests).

    python bench/code_state.py /path/to/project [-j 2]

Prints cold and warm run times with the code_state family and without it
(the tests-only analysis sessionlint did before SLK6xx), each in a fresh
process-local engine; warm runs reuse an on-disk cache in a temporary dir.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time


def _run(root: str, jobs: int, with_code_state: bool, cache_dir: str | None) -> tuple[float, int]:
    import sessionlint.rules as rules
    from sessionlint.config import Settings
    from sessionlint.engine import Engine

    saved = list(rules.MODULES)
    if not with_code_state:
        rules.MODULES[:] = [m for m in saved if not m.__name__.endswith(".code_state")]
    try:
        engine = Engine(Settings(root=root), jobs=jobs, cache_dir=cache_dir)
        start = time.perf_counter()
        result = engine.lint([root])
        return time.perf_counter() - start, sum(1 for d in result.diagnostics if d.code.startswith("SLK6"))
    finally:
        rules.MODULES[:] = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("-n", "--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for label, flag in (("tests only (no SLK6)", False), ("with SLK6 summaries", True)):
        cold, warm = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as cache:
                seconds, found = _run(args.root, args.jobs, flag, cache)
                cold.append(seconds)
                warm.append(_run(args.root, args.jobs, flag, cache)[0])
        print(f"{label:24} cold {statistics.median(cold):6.2f}s  warm {statistics.median(warm):6.2f}s  SLK6 findings {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
