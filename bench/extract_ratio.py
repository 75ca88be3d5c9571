#!/usr/bin/env python3
"""Extraction throughput against a bare ``ast.parse``, single process, on the pinned corpus.

    python bench/extract_ratio.py [--corpus DIR] [--repeat K]

Reads every corpus file into memory once, then times (best of K, one process,
no cache, no pool) ``ast.parse`` of every file, and sessionlint's per-file
extraction (``extract.extract``: decode, parse, fixtures and tests, per-file
rules) of the same bytes. Prints both times and their ratio; the target is
a ratio of at most 1.8 (docs/architecture.md, "One walk per file").
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# ``--src DIR`` measures another checkout's sources (e.g. before a change), same corpus, same run
_SRC = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv[:-1] else str(HERE.parent / "src")
sys.path.insert(0, _SRC)

from sessionlint.config import Settings  # noqa: E402
from sessionlint.extract import extract  # noqa: E402
from sessionlint.modules import ModuleFinder  # noqa: E402
from sessionlint.sources import decode  # noqa: E402

RATIO_MAX = 1.8


def load(corpus: Path) -> list[tuple[str, bytes]]:
    listing = corpus / "FILES.txt"
    names = listing.read_text().split() if listing.is_file() else [str(p.relative_to(corpus)) for p in corpus.rglob("*.py")]
    return [(str(corpus / name), (corpus / name).read_bytes()) for name in names]


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(files: list[tuple[str, bytes]], repeat: int = 3, root: str | None = None) -> dict[str, float]:
    """``root``: the run's root, for the module search that tells the project's imports from
    libraries (as the CLI does); a new search each round, so its file checks are timed too."""
    settings = Settings()
    texts = []
    for path, data in files:
        try:
            texts.append((path, decode(data).text))
        except Exception:  # noqa: BLE001 - undecodable files count only for extraction
            pass

    def bare() -> None:
        for path, text in texts:
            try:
                ast.parse(text, path)
            except (SyntaxError, ValueError):
                pass

    def extraction() -> None:
        modules = ModuleFinder(root) if root is not None else None
        for path, data in files:
            extract(path, data, settings, modules)

    def bare_paused() -> None:
        gc.disable()
        try:
            bare()
        finally:
            gc.enable()

    extraction()  # warm imports and caches once, outside the timing
    # interleaved, best of each: a machine whose load changes during the run skews both alike
    parse_s = extract_s = paused_s = float("inf")
    for _ in range(repeat):
        parse_s = min(parse_s, _best(bare, 1))
        extract_s = min(extract_s, _best(extraction, 1))
        paused_s = min(paused_s, _best(bare_paused, 1))
    # Extraction pauses the cyclic collector per file (extract.py); ``ratio_paused`` compares it
    # with a bare parse that pauses it too, to show how much of the ratio that pause accounts for.
    return {
        "files": len(files), "parse_s": parse_s, "extract_s": extract_s, "ratio": extract_s / parse_s,
        "parse_paused_s": paused_s, "ratio_paused": extract_s / paused_s,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/tmp/sessionlint-corpus/corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--src", help="the src/ directory whose sessionlint to measure (default: this checkout's)")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"extract_ratio: no corpus at {corpus}", file=sys.stderr)
        return 2
    result = measure(load(corpus), args.repeat, root=str(corpus.resolve()))
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['files']} files: ast.parse {result['parse_s']:.3f}s, extraction {result['extract_s']:.3f}s, "
            f"ratio {result['ratio']:.2f}x (target <= {RATIO_MAX}x: {'met' if result['ratio'] <= RATIO_MAX else 'NOT met'}); "
            f"against a parse with the cyclic collector paused too ({result['parse_paused_s']:.3f}s): "
            f"{result['ratio_paused']:.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
