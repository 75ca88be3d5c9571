#!/usr/bin/env python3
"""Generate the rule docs from ``sessionlint.rules``: docs/rules/<CODE>.md, docs/rules/index.md, README's table.

    python scripts/gen_docs.py           # write what changed
    python scripts/gen_docs.py --check   # write nothing; exit 1 when anything would change
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # the rules of this checkout, installed or not

from sessionlint.docs import DocsError, drift, write  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is out of date")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this checkout)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = drift(args.root)
            for path in stale:
                state = "out of date" if path.exists() else "missing"
                print(f"{path.relative_to(args.root)} is {state}", file=sys.stderr)
            if stale:
                print("run: python scripts/gen_docs.py", file=sys.stderr)
            return 1 if stale else 0
        for path in write(args.root):
            print(f"wrote {path.relative_to(args.root)}", file=sys.stderr)
    except DocsError as exc:
        print(f"gen_docs: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
