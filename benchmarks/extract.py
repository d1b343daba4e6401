"""Extraction throughput and memory on a 200 MB log made of real logs, beside ``grep -ciE 'error|fail'``.

The log is generated into a temporary directory by concatenating the data sets' logs until it reaches the
size. Each measurement runs in a fresh subprocess (``ci-triage analyze``'s own code path, one core) and reads
its peak RSS from ``resource.getrusage(RUSAGE_CHILDREN)``.
``python -m benchmarks extract [--size-mb N] [--keep] [--baseline DIR] [--rounds N]``

``--baseline DIR`` runs the same measurement on another checkout (``git worktree add DIR <commit>``) in the
same run, alternating with this one, and prints the ratio of the best CPU times: a loaded machine moves
absolute numbers by 2x, the ratio much less.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .datasets import BUNDLED, ROOT

GOAL_MB_S = 25.0
GOAL_RSS_MB = 200.0

_CHILD = """
import sys
from githubapp.cli_analyze import analyze_path
analysis = analyze_path(sys.argv[1], budget=100, byte_cap=int(sys.argv[2]))
print(len(analysis.failures), analysis.total_lines, analysis.truncated)
"""


def build_log(target: Path, size: int) -> int:
    sources = sorted(p for p in BUNDLED.rglob("*.log") if p.stat().st_size > 0)
    if not sources:
        raise SystemExit(f"no logs under {BUNDLED}")
    written = 0
    with target.open("wb") as out:
        while written < size:
            for source in sources:
                data = source.read_bytes()
                out.write(data if data.endswith(b"\n") else data + b"\n")
                written += len(data)
                if written >= size:
                    break
    return written


def _run(cmd: Sequence[str], cwd: Path = ROOT) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of the child, and its stdout.

    RUSAGE_CHILDREN's ru_maxrss is the largest child so far: the analysis runs first, so it is its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # grep -c exits 1 on zero matches
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.strip()}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu, after.ru_maxrss / 1024, done.stdout.strip()


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks extract", description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the generated log")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alternately (same log)")
    parser.add_argument("--rounds", type=int, default=1, help="measurements of each checkout (best counts)")
    args = parser.parse_args(list(argv))
    workdir = Path(tempfile.mkdtemp(prefix="ci-triage-bench-"))
    try:
        log = workdir / "big.log"
        size = build_log(log, args.size_mb * 1024 * 1024)
        mb = size / 1e6
        # a cap above the size: the whole log is analysed, nothing skipped
        child = [sys.executable, "-c", _CHILD, str(log), str(4 * size)]
        runs = []
        baseline_runs = []
        for _ in range(max(1, args.rounds)):
            if args.baseline:
                baseline_runs.append(_run(child, cwd=args.baseline.resolve()))
            runs.append(_run(child))
        wall, cpu, rss, out = min(runs, key=lambda r: r[1])
        grep_wall, grep_cpu, _, grep_out = _run(["grep", "-ciE", "error|fail", str(log)])
        print(f"log: {mb:.0f} MB ({log if args.keep else 'temporary'}); failures, lines, truncated: {out}")
        print(f"{'':<24} {'wall s':>8} {'cpu s':>8} {'MB/s wall':>10} {'MB/s cpu':>9}")
        print(f"{'ci-triage analyze':<24} {wall:>8.2f} {cpu:>8.2f} {mb / wall:>10.1f} {mb / cpu:>9.1f}")
        print(
            f"{'grep -ciE error|fail':<24} {grep_wall:>8.2f} {grep_cpu:>8.2f} {mb / grep_wall:>10.1f} "
            f"{mb / max(grep_cpu, 1e-3):>9.1f}   ({grep_out} matching lines)"
        )
        print(f"analysis / grep time: {wall / grep_wall:.1f}x (wall), {cpu / max(grep_cpu, 1e-3):.1f}x (cpu)")
        if baseline_runs:
            b_wall, b_cpu, b_rss, b_out = min(baseline_runs, key=lambda r: r[1])
            print(
                f"{'baseline ' + args.baseline.name:<24} {b_wall:>8.2f} {b_cpu:>8.2f} {mb / b_wall:>10.1f} "
                f"{mb / b_cpu:>9.1f}   peak RSS {b_rss:.0f} MB; failures, lines, truncated: {b_out}"
            )
            print(f"throughput vs baseline (best cpu of {len(runs)}): {b_cpu / cpu:.3f}x")
        print(f"peak RSS of the analysis: {rss:.0f} MB (goal < {GOAL_RSS_MB:.0f} MB)")
        verdict = "met" if mb / cpu >= GOAL_MB_S else "NOT met"
        print(f"throughput goal >= {GOAL_MB_S:.0f} MB/s on one core (cpu time): {verdict}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
