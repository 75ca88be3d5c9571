#!/usr/bin/env python3
"""Cost of the SLK6xx summaries on whole repositories (source plus tests).

    python bench/code_state.py --corpus /tmp/sessionlint-corpus [-j 2] [-n 3]
    python bench/code_state.py --families /path/to/project [-j 2]

``--corpus DIR`` (issue #14's speed clause): for each distribution in ``DIR/full/<project>``
(the whole released tree: package and tests) and its tests-only copy ``DIR/corpus/<project>``
(the same test files at the same paths), a cold run (empty cache directory) and a warm run (the
cache re-used) of the ``sessionlint`` executable, each in a fresh process, best of ``-n`` (the
tests-only and whole runs of a distribution take turns); prints
whole/tests-only for both against the target (cold at most 2x; warm "as fast as today": the
tests-only warm run is today's). ``--markdown`` prints the table for the README.

``--families ROOT``: cold and warm runs in this process with the code_state family and without
it, to see what SLK6xx itself costs on one tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TARGET = 2.0


def _executable() -> list[str]:
    here = os.path.join(os.path.dirname(sys.executable), "sessionlint")
    if os.path.exists(here):
        return [here]
    found = shutil.which("sessionlint")
    return [found] if found else [sys.executable, "-m", "sessionlint"]


def _timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds): the CPU time (user + system) of the process and of the pool
    workers it waited for, which another job on a shared machine changes far less than the wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr.strip()[:500]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _cold_warm(roots: list[str], jobs: int, repeat: int) -> list[tuple[float, float, float]]:
    """Best cold and warm wall time and best cold CPU time of each root; the roots take turns in
    every repetition, so a change in the machine's load (a shared machine) weighs on each alike."""
    cold: list[list[float]] = [[] for _ in roots]
    warm: list[list[float]] = [[] for _ in roots]
    cpu: list[list[float]] = [[] for _ in roots]
    base = [*_executable(), "-q", "--isolated", "--jobs", str(jobs)]
    for _ in range(repeat):
        for i, root in enumerate(roots):
            with tempfile.TemporaryDirectory() as cache:
                wall, used = _timed([*base, "--cache-dir", cache, root])
                cold[i].append(wall)
                cpu[i].append(used)
                warm[i].append(_timed([*base, "--cache-dir", cache, root])[0])
    return [(min(c), min(w), min(u)) for c, w, u in zip(cold, warm, cpu)]


def _count(root: str) -> int:
    return sum(1 for _d, _s, files in os.walk(root) for f in files if f.endswith(".py"))


def corpus(directory: str, jobs: int, repeat: int, markdown: bool) -> int:
    full_dir, tests_dir = os.path.join(directory, "full"), os.path.join(directory, "corpus")
    if not os.path.isdir(full_dir) or not os.path.isdir(tests_dir):
        print(f"{directory}: needs full/ and corpus/ (the corpus' make_corpus.sh output)", file=sys.stderr)
        return 2
    rows = []
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    for name in sorted(os.listdir(full_dir)):
        whole, tests = os.path.join(full_dir, name), os.path.join(tests_dir, name)
        if not os.path.isdir(tests):
            continue
        (t_cold, t_warm, t_cpu), (w_cold, w_warm, w_cpu) = _cold_warm([tests, whole], jobs, repeat)
        rows.append((name, _count(tests), _count(whole), t_cold, w_cold, t_warm, w_warm, t_cpu, w_cpu))
        if not markdown:
            print(f"{name:22} py {rows[-1][1]:5}/{rows[-1][2]:5}  cold {t_cold:6.2f}s -> {w_cold:6.2f}s "
                  f"({w_cold / t_cold:4.2f}x)  warm {t_warm:5.2f}s -> {w_warm:5.2f}s ({w_warm / t_warm:4.2f}x)  "
                  f"cold CPU {t_cpu:6.2f}s -> {w_cpu:6.2f}s ({w_cpu / t_cpu:4.2f}x)")
    tc, wc = sum(r[3] for r in rows), sum(r[4] for r in rows)
    tw, ww = sum(r[5] for r in rows), sum(r[6] for r in rows)
    tu, wu = sum(r[7] for r in rows), sum(r[8] for r in rows)
    worst = max((r[4] / r[3] for r in rows), default=0.0)
    worst_cpu = max((r[8] / r[7] for r in rows), default=0.0)
    if markdown:
        print("| distribution | .py tests-only / whole | cold tests-only s | cold whole s | ratio | warm tests-only s "
              "| warm whole s | ratio | cold CPU tests-only s | cold CPU whole s | ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, nt, nw, a, b, c, d, e, f in rows:
            print(f"| {name} | {nt} / {nw} | {a:.2f} | {b:.2f} | {b / a:.2f}x | {c:.2f} | {d:.2f} | {d / c:.2f}x "
                  f"| {e:.2f} | {f:.2f} | {f / e:.2f}x |")
        print(f"| total | | {tc:.2f} | {wc:.2f} | {wc / tc:.2f}x | {tw:.2f} | {ww:.2f} | {ww / tw:.2f}x "
              f"| {tu:.2f} | {wu:.2f} | {wu / tu:.2f}x |")
    else:
        print(f"{'total':22} {'':16} cold {tc:6.2f}s -> {wc:6.2f}s ({wc / tc:4.2f}x)  warm {tw:5.2f}s -> {ww:5.2f}s ({ww / tw:4.2f}x)")
    verdict = "met" if worst <= TARGET else "not met"
    print(f"\ncold whole / tests-only: at most {TARGET:.0f}x per distribution: {verdict} (worst {worst:.2f}x); "
          f"best of {repeat}, --jobs {jobs}, {os.cpu_count()} CPUs; in CPU time: worst {worst_cpu:.2f}x")
    if load is not None and hasattr(os, "getloadavg"):
        after = os.getloadavg()
        print(f"load average (1, 5, 15 min) before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
              f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    return 0


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


def families(root: str, jobs: int, repeat: int) -> int:
    for label, flag in (("without SLK6", False), ("with SLK6 summaries", True)):
        cold, warm = [], []
        found = 0
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as cache:
                seconds, found = _run(root, jobs, flag, cache)
                cold.append(seconds)
                warm.append(_run(root, jobs, flag, cache)[0])
        print(f"{label:24} cold {statistics.median(cold):6.2f}s  warm {statistics.median(warm):6.2f}s  SLK6 findings {found}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--corpus", metavar="DIR", help="a corpus directory holding full/ and corpus/")
    what.add_argument("--families", metavar="ROOT", help="one tree, with and without the code_state family")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-n", "--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.corpus:
        return corpus(args.corpus, args.jobs, args.repeat, args.markdown)
    return families(args.families, args.jobs, args.repeat)


if __name__ == "__main__":
    raise SystemExit(main())
