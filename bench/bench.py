#!/usr/bin/env python3
"""Benchmark sessionlint against flake8-pytest-style and ruff on the pinned corpus.

    python bench/bench.py [--corpus DIR] [--jobs N] [--repeat K] [--markdown]

Times, in one run, on the same files and the same number of processes:

* ``sessionlint`` cold  -- ``--cache-dir`` pointing at a fresh, empty directory;
* ``sessionlint`` warm  -- the same command again, re-using that cache directory;
* ``flake8 --select PT`` (flake8 + flake8-pytest-style), ``-j N``;
* ``ruff check --select PT --no-cache`` (``RAYON_NUM_THREADS=N``).

Each measurement runs in a fresh helper interpreter that starts the tool, waits
for it and reports its wall time and ``getrusage(RUSAGE_CHILDREN)``, so the peak
RSS is that tool's own: the largest resident set reached by any *single* process
of the tool's process tree (the parent or a worker), not the sum over workers.

Prints wall seconds (best of K), files/s, peak RSS and the time ratio against
flake8-pytest-style, then whether each acceptance target is met.  The exit status
is 0 unless something went wrong (corpus missing or corrupt, a tool failed); the
targets are only reported, never turned into a failing exit status.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS_SH = HERE / "corpus.sh"
DEFAULT_CORPUS = HERE / ".corpus"

# Acceptance targets (reported, never enforced through the exit status).
COLD_VS_FLAKE8_MAX = 0.25  # cold sessionlint <= a quarter of the flake8-pytest-style time (issue #11)
WARM_VS_COLD_MAX = 0.05  # warm <= a twentieth of cold (issue #11)
PEAK_RSS_MAX_MB = 500.0  # peak RSS (largest single process) < 500 MB

# Runs one command, its output sent to files, and prints a JSON line with wall
# time, exit code and the rusage of its (waited-for) process tree.  Started with
# -I -S so the helper itself stays small; its own memory is not counted
# (RUSAGE_CHILDREN covers terminated, waited-for descendants only).
_MEASURE = r"""
import json, resource, subprocess, sys, time
out, err, cwd, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
res = {}
with open(out, "wb") as fo, open(err, "wb") as fe:
    t0 = time.perf_counter()
    try:
        res["rc"] = subprocess.call(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, cwd=cwd)
    except OSError as e:
        res["rc"] = None
        res["error"] = f"cannot run {cmd[0]!r}: {e}"
    res["wall"] = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
res["maxrss"] = ru.ru_maxrss
res["cpu"] = ru.ru_utime + ru.ru_stime
print(json.dumps(res))
"""

# Runs flake8 without the flake8 plugin that sessionlint itself registers
# (entry point SLK): installed in the same venv, it would otherwise run inside
# the baseline and inflate it.  Works because flake8 forks its workers on Linux.
_FLAKE8_SHIM = r"""
import sys
import flake8.plugins.finder as finder
_find = finder.find_plugins
def find_plugins(*a, **k):
    return [p for p in _find(*a, **k) if p.package.lower() not in ("sessionlint",)]
finder.find_plugins = find_plugins
from flake8.main.cli import main
sys.argv[0] = "flake8"
raise SystemExit(main())
"""

_FINDING = re.compile(rb"^[^\s:][^:]*:\d+:\d+:", re.M)


class BenchError(Exception):
    """A problem that stops the benchmark (exit status 2)."""


@dataclass
class Tool:
    key: str  # "flake8", "ruff", "cold", "warm"
    label: str
    cmd: list[str] | None  # None: tool missing
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""
    version: str = ""


@dataclass
class Result:
    tool: Tool
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    maxrss_kb: int = 0
    findings: int | None = None
    error: str = ""
    not_run: str = ""  # not run because another measurement failed (not an error)

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.walls)

    @property
    def best(self) -> float | None:
        return min(self.walls) if self.ok else None

    @property
    def cpu(self) -> float | None:
        return min(self.cpus) if self.ok else None

    @property
    def rss_mb(self) -> float | None:
        return self.maxrss_kb / 1024 if self.ok else None


# --------------------------------------------------------------------------- corpus


def resolve_corpus(arg: str | None, download: bool) -> Path:
    """Return the directory holding FILES.txt, fetching the corpus if needed."""
    base = Path(arg).expanduser() if arg else DEFAULT_CORPUS
    for cand in (base / "corpus", base):
        if (cand / "FILES.txt").is_file():
            return cand.resolve()
    if not download:
        raise BenchError(f"no corpus (FILES.txt) under {base}; run {CORPUS_SH} {base}")
    if base.name == "corpus" and (base.parent / "dl").is_dir():
        base = base.parent
    print(f"bench: no corpus under {base}, building it with {CORPUS_SH} ...", file=sys.stderr)
    proc = subprocess.run(["bash", str(CORPUS_SH), str(base)], stdout=sys.stderr)
    if proc.returncode != 0 or not (base / "corpus" / "FILES.txt").is_file():
        raise BenchError(f"{CORPUS_SH} failed (exit {proc.returncode})")
    return (base / "corpus").resolve()


def pinned_manifest_digest() -> str | None:
    try:
        m = re.search(r"^MANIFEST_DIGEST=([0-9a-f]{64})$", CORPUS_SH.read_text(), re.M)
    except OSError:
        return None
    return m.group(1) if m else None


def check_corpus(corpus: Path) -> dict[str, object]:
    """Verify every file against MANIFEST.sha256 (this also warms the page cache)."""
    files = [line for line in (corpus / "FILES.txt").read_text().splitlines() if line]
    manifest_path = corpus / "MANIFEST.sha256"
    if not manifest_path.is_file():
        raise BenchError(f"{manifest_path} is missing")
    manifest_bytes = manifest_path.read_bytes()
    expected = {}
    for line in manifest_bytes.decode().splitlines():
        digest, _, name = line.partition("  ")
        expected[name] = digest
    bad = []
    for name in files:
        try:
            data = (corpus / name).read_bytes()
        except OSError:
            bad.append(name)
            continue
        if hashlib.sha256(data).hexdigest() != expected.get(name):
            bad.append(name)
    if bad:
        raise BenchError(
            f"{len(bad)} corpus file(s) missing or differing from MANIFEST.sha256, "
            f"e.g. {bad[0]}; rebuild with {CORPUS_SH}"
        )
    on_disk = sum(
        1 for p in corpus.rglob("*.py") if p.is_file() and "__pycache__" not in p.parts
    )
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    pinned = pinned_manifest_digest()
    return {
        "dir": corpus,
        "files": len(files),
        "projects": sorted(p.name for p in corpus.iterdir() if p.is_dir()),
        "extra_py": on_disk - len(files),
        "digest": digest,
        "pinned": digest == pinned,
    }


# --------------------------------------------------------------------------- tools


def find_exe(name: str, override: str | None) -> str | None:
    if override:
        found = shutil.which(override)
        if found is None:
            print(f"bench: warning: {override} not found or not executable", file=sys.stderr)
        return found
    here = os.path.dirname(sys.executable)
    return shutil.which(name, path=here) or shutil.which(name)


def script_python(script: str) -> str | None:
    """The interpreter of a console script (its shebang), if it is a Python one."""
    try:
        with open(script, "rb") as f:
            first = f.readline(512)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    parts = first[2:].decode(errors="replace").split()
    if not parts:
        return None
    if os.path.basename(parts[0]) == "env" and len(parts) > 1:
        parts = [shutil.which(parts[1]) or parts[1]]
    exe = parts[0]
    return exe if "python" in os.path.basename(exe) and os.path.isfile(exe) else None


def tool_version(cmd: list[str], env: dict[str, str]) -> str:
    try:
        p = subprocess.run(
            [*cmd, "--version"], capture_output=True, text=True, timeout=60,
            env={**os.environ, **env},
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{os.path.basename(cmd[-1])}: version unknown ({e.__class__.__name__})"
    text = " ".join((p.stdout or p.stderr).split())
    if p.returncode != 0:
        return f"{os.path.basename(cmd[-1])}: version unknown (--version exit {p.returncode})"
    return text


def make_tools(args: argparse.Namespace, jobs: int) -> list[Tool]:
    tools: list[Tool] = []

    flake8 = find_exe("flake8", args.flake8)
    f8_label = "flake8 --select PT (flake8-pytest-style)"
    if flake8 is None:
        tools.append(Tool("flake8", f8_label, None, note="flake8 not found: skipped"))
    else:
        py = script_python(flake8)
        f8_args = ["--isolated", "--select", "PT", "-j", str(jobs), "--exit-zero", "."]
        if py:
            base = [py, "-c", _FLAKE8_SHIM]
            note = "sessionlint's own flake8 plugin (if installed) filtered out"
        else:
            base = [flake8]
            note = "all installed flake8 plugins run"
        t = Tool("flake8", f8_label, [*base, *f8_args], note=note)
        t.version = "flake8 " + tool_version(base, {})
        tools.append(t)

    ruff = find_exe("ruff", args.ruff)
    r_label = "ruff check --select PT --no-cache"
    if ruff is None:
        tools.append(Tool("ruff", r_label, None, note="ruff not found: skipped"))
    else:
        cmd = [ruff, "check", "--isolated", "--select", "PT", "--no-cache", "--exit-zero",
               "--no-respect-gitignore", "--output-format", "concise", "."]
        t = Tool("ruff", r_label, cmd, env={"RAYON_NUM_THREADS": str(jobs)},
                 note=f"RAYON_NUM_THREADS={jobs}")
        t.version = tool_version([ruff], {})
        tools.append(t)

    sl = find_exe("sessionlint", args.sessionlint)
    env: dict[str, str] = {}
    note = ""
    if sl is not None:
        base = [sl]
    elif args.sessionlint is None and (REPO / "src" / "sessionlint" / "__init__.py").is_file():
        # Not installed: run the source tree of this checkout.
        base = [sys.executable, "-m", "sessionlint"]
        src = str(REPO / "src")
        env["PYTHONPATH"] = src + (os.pathsep + os.environ["PYTHONPATH"]
                                   if os.environ.get("PYTHONPATH") else "")
        note = f"not installed: run as `python -m sessionlint` from {src}"
    else:
        base = None
    sl_args = ["--jobs", str(jobs), "--exit-zero", "."]
    for key, label in (("cold", "sessionlint cold (empty cache)"),
                       ("warm", "sessionlint warm (cache re-used)")):
        if base is None:
            tools.append(Tool(key, label, None, note="sessionlint not found: skipped"))
            continue
        # "{cache}" is replaced by the cache directory of the current repetition.
        t = Tool(key, label, [*base, "--cache-dir", "{cache}", *sl_args], env=dict(env),
                 note=note)
        tools.append(t)
    if base is not None:
        v = tool_version(base, env)
        for t in tools[-2:]:
            t.version = v if "sessionlint" in v else f"sessionlint {v}"

    skip = set(args.skip or ())
    for t in tools:
        if (t.key in skip or (t.key in ("cold", "warm") and "sessionlint" in skip)
                or (t.key == "warm" and "cold" in skip)):
            t.cmd = None
            t.note = "skipped (--skip)"
    return tools


# --------------------------------------------------------------------------- measuring


def measure(tool: Tool, cwd: Path, cache: str | None, res: Result, workdir: Path) -> None:
    assert tool.cmd is not None
    cmd = [c.replace("{cache}", cache) if cache else c for c in tool.cmd]
    out, err = workdir / f"{tool.key}.out", workdir / f"{tool.key}.err"
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _MEASURE, str(out), str(err), str(cwd), *cmd],
        capture_output=True, text=True, env={**os.environ, **tool.env},
    )
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        res.error = f"measuring helper failed: {proc.stderr.strip()[-300:]}"
        return
    if data.get("error"):
        res.error = data["error"]
        return
    if data["rc"] != 0:
        tail = err.read_bytes().decode(errors="replace").strip().splitlines()[-3:]
        res.error = f"exit {data['rc']}: " + " | ".join(x.strip() for x in tail)[-300:]
        return
    res.walls.append(data["wall"])
    res.cpus.append(data["cpu"])
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    kb = data["maxrss"] // 1024 if sys.platform == "darwin" else data["maxrss"]
    res.maxrss_kb = max(res.maxrss_kb, kb)
    res.findings = len(_FINDING.findall(out.read_bytes()))


def run_all(tools: list[Tool], corpus: Path, repeat: int, verbose: bool) -> dict[str, Result]:
    results = {t.key: Result(t) for t in tools}
    with tempfile.TemporaryDirectory(prefix="sessionlint-bench-") as tmp:
        workdir = Path(tmp)
        for i in range(repeat):
            cache = None
            for t in tools:
                r = results[t.key]
                if t.cmd is None or r.error or r.not_run:
                    continue
                if t.key == "cold":
                    # A fresh, empty cache directory for every cold run.
                    cache = tempfile.mkdtemp(prefix="cache-", dir=tmp)
                if t.key == "warm" and (cache is None or results["cold"].error):
                    r.not_run = "not run: needs a successful cold run"
                    continue
                if verbose:
                    print(f"bench: [{i + 1}/{repeat}] {t.label} ...", file=sys.stderr, flush=True)
                measure(t, corpus, cache, r, workdir)
                if verbose:
                    msg = r.error or f"{r.walls[-1]:.2f} s"
                    print(f"bench:     {msg}", file=sys.stderr, flush=True)
    return results


# --------------------------------------------------------------------------- report


def machine_info(jobs: int) -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except (OSError, ValueError):
        pass
    return {
        "nproc": str(usable),
        "cpu": cpu,
        "memory": mem or "unknown",
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "jobs": str(jobs),
    }


def fmt(v: float | None, spec: str) -> str:
    return "—" if v is None else format(v, spec)


def rows(results: dict[str, Result], nfiles: int) -> list[list[str]]:
    base = results.get("flake8")
    base_t = base.best if base else None
    out = []
    for key in ("cold", "warm", "flake8", "ruff"):
        r = results.get(key)
        if r is None:
            continue
        t = r.best
        if t is None:
            status = (f"ERROR {r.error}" if r.error else r.not_run or r.tool.note or "not run")
            out.append([r.tool.label, "—", "—", "—", "—", "—", "—", status])
            continue
        ratio = t / base_t if base_t else None
        out.append([
            r.tool.label,
            fmt(t, ".2f"),
            fmt(nfiles / t if t > 0 else None, ".0f"),
            fmt(r.cpu, ".1f"),
            fmt(r.rss_mb, ".0f"),
            fmt(ratio, ".3f"),
            str(r.findings) if r.findings is not None else "—",
            r.tool.note,
        ])
    return out


HEADERS = ["tool", "wall s", "files/s", "CPU s", "peak RSS MB", "time / flake8",
           "findings", "note"]


def targets(results: dict[str, Result]) -> list[tuple[str, str, str]]:
    """(target, MET / NOT MET / n/a, detail) for each acceptance target."""
    cold, warm, f8 = results.get("cold"), results.get("warm"), results.get("flake8")
    out = []
    name = f"cold sessionlint <= {COLD_VS_FLAKE8_MAX:g} x flake8-pytest-style time"
    if cold and f8 and cold.best is not None and f8.best:
        q = cold.best / f8.best
        out.append((name, "MET" if q <= COLD_VS_FLAKE8_MAX else "NOT MET",
                    f"{cold.best:.2f} s / {f8.best:.2f} s = {q:.3f}"))
    else:
        out.append((name, "n/a", "needs both the cold and the flake8 row"))
    name = f"warm <= {WARM_VS_COLD_MAX:g} x cold"
    if cold and warm and cold.best and warm.best is not None:
        q = warm.best / cold.best
        speed = f", {cold.best / warm.best:.1f}x faster" if warm.best > 0 else ""
        out.append((name, "MET" if q <= WARM_VS_COLD_MAX else "NOT MET",
                    f"{warm.best:.2f} s / {cold.best:.2f} s = {q:.3f}{speed}"))
    else:
        out.append((name, "n/a", "needs both the cold and the warm row"))
    name = f"sessionlint peak RSS < {PEAK_RSS_MAX_MB:g} MB (largest single process)"
    rss = [r.rss_mb for r in (cold, warm) if r and r.rss_mb is not None]
    if rss:
        m = max(rss)
        out.append((name, "MET" if m < PEAK_RSS_MAX_MB else "NOT MET", f"{m:.0f} MB"))
    else:
        out.append((name, "n/a", "no successful sessionlint run"))
    return out


def print_text(info, corpus, tools, results, repeat) -> None:
    print(f"corpus:  {corpus['dir']}  {corpus['files']} files, "
          f"{len(corpus['projects'])} projects, manifest {corpus['digest'][:12]} "
          f"({'matches the pin' if corpus['pinned'] else 'DIFFERS from the pin'})")
    print(f"machine: {info['nproc']} usable CPUs ({info['cpu']}), {info['memory']}, "
          f"{info['python']}, {info['os']}")
    print(f"run:     --jobs {info['jobs']}, best of {repeat}")
    for t in tools:
        if t.version and t.cmd is not None:
            print(f"  {t.key:6s} {t.version}")
    print()
    table = [HEADERS, *rows(results, corpus["files"])]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS) - 1)]
    for n, r in enumerate(table):
        cells = [r[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(r[1:-1], widths[1:], strict=True)]
        print("  ".join(cells) + ("  " + r[-1] if r[-1] else ""))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("peak RSS = largest resident set of any single process of the tool (ru_maxrss),")
    print("not the sum over its workers; CPU s = user+sys of the whole process tree.")
    print()
    for name, status, detail in targets(results):
        print(f"target: {name}: {status} ({detail})")


def print_markdown(info, corpus, tools, results, repeat) -> None:
    pin = "matches the pin in bench/corpus.sh" if corpus["pinned"] else "DIFFERS from the pin"
    print(f"Corpus: {corpus['files']} test files (`test_*.py`, `*_test.py`, `conftest.py`) "
          f"from {', '.join(corpus['projects'])}; manifest sha256 `{corpus['digest'][:16]}…`"
          f" ({pin}).")
    print()
    print(f"Machine: {info['nproc']} usable CPUs, {info['cpu']}, {info['memory']} RAM, "
          f"{info['os']}, {info['python']}. Run with `--jobs {info['jobs']}`, best of {repeat}.")
    print()
    print("Tools:")
    print()
    seen = set()
    for t in tools:
        if t.version and t.cmd is not None and t.version not in seen:
            seen.add(t.version)
            print(f"- {t.version}")
    print()
    print("| " + " | ".join(HEADERS) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 2) + ["---"]) + "|")
    for r in rows(results, corpus["files"]):
        print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    print()
    print("Peak RSS is the largest resident set of any single process of the tool "
          "(`ru_maxrss` of its process tree), not the sum over its workers.")
    print()
    print("| target | result | detail |")
    print("|---|---|---|")
    for name, status, detail in targets(results):
        print(f"| {name} | **{status}** | {detail} |")


# --------------------------------------------------------------------------- main


def print_extract_ratio(corpus_dir: Path, repeat: int, markdown: bool) -> None:
    """Single-process extraction against a bare ``ast.parse`` of the same files (extract_ratio.py)."""
    corpus = corpus_dir / "corpus" if (corpus_dir / "corpus" / "FILES.txt").is_file() else corpus_dir
    proc = subprocess.run(
        [sys.executable, str(HERE / "extract_ratio.py"), "--corpus", str(corpus), "--repeat", str(max(repeat, 2)), "--json"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        print(f"bench: extraction ratio: failed: {proc.stderr.strip()}", file=sys.stderr)
        return
    r = json.loads(proc.stdout)
    line = (f"extraction, one process: {r['extract_s']:.2f} s vs ast.parse {r['parse_s']:.2f} s = "
            f"{r['ratio']:.2f}x (target <= 1.8x: {'met' if r['ratio'] <= 1.8 else 'NOT met'}); "
            f"{r['ratio_paused']:.2f}x against a parse with the cyclic collector paused too")
    print(f"\n{line}" if not markdown else f"\n- {line}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Time sessionlint (cold/warm), flake8-pytest-style and ruff PT "
        "on the pinned corpus.")
    ap.add_argument("--corpus", metavar="DIR",
                    help="corpus to use: a corpus.sh output dir (holding corpus/) or the "
                    f"corpus/ dir itself (default: {DEFAULT_CORPUS.relative_to(REPO)}, "
                    "built with bench/corpus.sh when missing)")
    ap.add_argument("--jobs", "-j", type=int, metavar="N",
                    help="processes per tool (default: number of usable CPUs)")
    ap.add_argument("--repeat", "-k", type=int, default=1, metavar="K",
                    help="repetitions; the best wall time is reported (default: 1)")
    ap.add_argument("--markdown", action="store_true", help="print a README-ready markdown report")
    ap.add_argument("--skip", action="append",
                    choices=["sessionlint", "cold", "warm", "flake8", "ruff", "extract"],
                    help="do not run this tool (repeatable)")
    ap.add_argument("--no-download", action="store_true",
                    help="fail instead of building a missing corpus")
    ap.add_argument("--sessionlint", metavar="EXE", help="sessionlint executable to use")
    ap.add_argument("--flake8", metavar="EXE", help="flake8 executable to use")
    ap.add_argument("--ruff", metavar="EXE", help="ruff executable to use")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)

    if args.repeat < 1:
        ap.error("--repeat must be >= 1")
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    jobs = args.jobs or usable
    if jobs < 1:
        ap.error("--jobs must be >= 1")

    try:
        corpus_dir = resolve_corpus(args.corpus, download=not args.no_download)
        corpus = check_corpus(corpus_dir)
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 2
    if not corpus["pinned"]:
        print("bench: warning: corpus manifest differs from the pin in bench/corpus.sh",
              file=sys.stderr)
    if corpus["extra_py"]:
        print(f"bench: warning: {corpus['extra_py']} .py file(s) under {corpus_dir} are "
              "not in FILES.txt; the tools will lint them too", file=sys.stderr)

    tools = make_tools(args, jobs)
    for t in tools:
        if t.cmd is None and not args.quiet:
            print(f"bench: {t.label}: {t.note}", file=sys.stderr)
    t0 = time.perf_counter()
    results = run_all(tools, corpus_dir, args.repeat, verbose=not args.quiet)
    if not args.quiet:
        print(f"bench: done in {time.perf_counter() - t0:.0f} s\n", file=sys.stderr)

    info = machine_info(jobs)
    (print_markdown if args.markdown else print_text)(info, corpus, tools, results, args.repeat)
    if "extract" not in (args.skip or []):
        print_extract_ratio(corpus_dir, args.repeat, args.markdown)
    failed = [r.tool.label for r in results.values() if r.error]
    if failed:
        print(f"\nbench: error: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
