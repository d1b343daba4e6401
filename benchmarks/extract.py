"""Extraction throughput and memory on a 200 MB log made of real logs, and on a log of adversarial lines,
each beside ``grep -ciE 'error|fail'`` on the same file.

The real log is generated into a temporary directory by concatenating the data sets' logs until it reaches
the size. The adversarial log (``--adversarial-mb``, 50 MB) repeats, for every rule of the table, lines made
of its needles and its pattern's literals run together (long runs that end where a backtracking engine
fails, dense runs of error words, the same coloured, timestamped, cut by control bytes), and the hostile
lines of issue 19. Each measurement runs in a fresh subprocess (``ci-triage analyze``'s own code path, one
core) and reads its peak RSS from ``resource.getrusage(RUSAGE_CHILDREN)``.
``python -m benchmarks extract [--size-mb N] [--adversarial-mb N] [--keep] [--baseline DIR] [--rounds N]
[--stages]``

``--stages`` also times the analysis of the real log stage by stage in a fresh process
(``benchmarks.extract_stages``): the chunking, the candidate search, Hyperscan's own scan and the Python that
reads the matched lines, and the throughput the design could reach were every byte-level step free.

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

GOAL_MB_S = 100.0
GOAL_ADVERSARIAL_MB_S = 20.0
GOAL_RSS_MB = 200.0

_CHILD = """
import sys
from githubapp.cli.analyze import analyze_path
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


def _units(pattern: str) -> list[str]:
    """A pattern's literal runs (what an attacker repeats), read from its text: letters, digits and the
    punctuation logs print."""
    units: list[str] = []
    literal = ""
    for char in pattern + "(":
        if char.isalnum() or char in " :/-_=@#'`,;<>!%&~.":
            literal += char
        else:
            if len(literal.strip()) > 1:
                units.append(literal)
            literal = ""
    return units


def build_adversarial_log(target: Path, size: int) -> int:
    """Lines that make regex engines and prefilters work: every rule's needles and literals run together."""
    from analysis.rules import RULES

    stamp = "2026-11-24T10:00:00.0000000Z "
    lines: list[str] = []
    for rule in RULES:
        for unit in [*rule.needles, *_units(rule.pattern.pattern)][:8]:
            unit = unit.strip("\n") or "error"
            lines += [
                (unit * (4000 // len(unit) + 1))[:4000] + "\u2603",  # a run that fails at its very end
                stamp + " ".join([unit, "error:", "FAILED", unit, "at", unit]) * 8,  # dense, timestamped
                "\x1b[31m" + f"\x1b[1m{unit}\x1b[0m " * 40 + "\x1b[0m",  # coloured
                "  " + (unit + " ") * 30 + "\x07" + unit,  # a control byte: the line is cleaned first
                unit[: len(unit) // 2] + "\x1b[1m" + unit[len(unit) // 2 :] + " " + "x" * 2100,  # split, long
            ]
    lines += ["Snapshot `" * 8_000, "." * 2_000 + "xFailed", " " * 8_000 + "x"]
    block = "\n".join(lines).encode("utf-8", "replace") + b"\n"
    written = 0
    with target.open("wb") as out:
        while written < size:
            out.write(block)
            written += len(block)
    return written


def _measure(
    log: Path, size: int, rounds: int, baseline: Path | None
) -> tuple[tuple[float, float, float, str], list[tuple[float, float, float, str]], tuple[float, float, str]]:
    child = [sys.executable, "-c", _CHILD, str(log), str(4 * size)]  # a cap above the size: nothing skipped
    runs = []
    baseline_runs = []
    for _ in range(max(1, rounds)):
        if baseline:
            baseline_runs.append(_run(child, cwd=baseline.resolve()))
        runs.append(_run(child))
    grep_wall, grep_cpu, _, grep_out = _run(["grep", "-ciE", "error|fail", str(log)])
    return min(runs, key=lambda r: r[1]), baseline_runs, (grep_wall, grep_cpu, grep_out)


def _report(
    name: str,
    mb: float,
    best: tuple[float, float, float, str],
    grep: tuple[float, float, str],
    goal: float,
    baseline_runs: list[tuple[float, float, float, str]],
    baseline: Path | None,
) -> float:
    wall, cpu, rss, out = best
    grep_wall, grep_cpu, grep_out = grep
    print(f"{name}: {mb:.0f} MB; failures, lines, truncated: {out}")
    print(f"{'':<24} {'wall s':>8} {'cpu s':>8} {'MB/s wall':>10} {'MB/s cpu':>9}")
    print(
        f"{'ci-triage analyze':<24} {wall:>8.2f} {cpu:>8.2f} {mb / wall:>10.1f} {mb / cpu:>9.1f}   "
        f"peak RSS {rss:.0f} MB"
    )
    print(
        f"{'grep -ciE error|fail':<24} {grep_wall:>8.2f} {grep_cpu:>8.2f} {mb / grep_wall:>10.1f} "
        f"{mb / max(grep_cpu, 1e-3):>9.1f}   ({grep_out} matching lines)"
    )
    print(f"analysis / grep time: {wall / grep_wall:.1f}x (wall), {cpu / max(grep_cpu, 1e-3):.1f}x (cpu)")
    if baseline_runs and baseline:
        b_wall, b_cpu, b_rss, b_out = min(baseline_runs, key=lambda r: r[1])
        print(
            f"{'baseline ' + baseline.name:<24} {b_wall:>8.2f} {b_cpu:>8.2f} {mb / b_wall:>10.1f} "
            f"{mb / b_cpu:>9.1f}   peak RSS {b_rss:.0f} MB; failures, lines, truncated: {b_out}"
        )
        print(f"throughput vs baseline (best cpu of {len(baseline_runs)}): {b_cpu / cpu:.3f}x")
    verdict = "met" if mb / cpu >= goal else "NOT met"
    print(f"goal >= {goal:.0f} MB/s of CPU: {verdict}; peak RSS < {GOAL_RSS_MB:.0f} MB: "
          f"{'met' if rss < GOAL_RSS_MB else 'NOT met'}")
    return rss


def _stages(log: Path) -> str:
    from . import extract_stages

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.extract_stages", str(log)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"stages failed: {done.stderr.strip()}")
    return extract_stages.report(extract_stages.from_json(done.stdout), GOAL_MB_S)


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
    parser.add_argument("--adversarial-mb", type=int, default=50, help="0: skip the adversarial log")
    parser.add_argument("--keep", action="store_true", help="keep the generated logs")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alternately (same logs)")
    parser.add_argument("--rounds", type=int, default=1, help="measurements of each checkout (best counts)")
    parser.add_argument("--stages", action="store_true", help="also time the analysis stage by stage")
    args = parser.parse_args(list(argv))
    workdir = Path(tempfile.mkdtemp(prefix="ci-triage-bench-"))
    try:
        log = workdir / "big.log"
        size = build_log(log, args.size_mb * 1024 * 1024)
        best, baseline_runs, grep = _measure(log, size, args.rounds, args.baseline)
        where = f" ({workdir})" if args.keep else ""
        _report(f"real logs{where}", size / 1e6, best, grep, GOAL_MB_S, baseline_runs, args.baseline)
        if args.stages:
            print()
            print(_stages(log))
        if args.adversarial_mb > 0:
            hostile = workdir / "adversarial.log"
            size = build_adversarial_log(hostile, args.adversarial_mb * 1024 * 1024)
            log.unlink()
            best, baseline_runs, grep = _measure(hostile, size, args.rounds, args.baseline)
            print()
            _report("adversarial lines", size / 1e6, best, grep, GOAL_ADVERSARIAL_MB_S, baseline_runs, args.baseline)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
