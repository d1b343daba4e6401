"""Evidence recall at a line budget on the labeled data sets, beside the tail and grep baselines.

Measure (benchmarks/data/README.md): the union of the ``excerpt`` ranges of
``ci-triage analyze LOG --json --budget N`` must contain at least one line of each labeled item. Runs the
CLI's own code path in-process.
``python -m benchmarks.quality [--budget N ...] [--dataset NAME ...] [--datasets PATH] [--misses]``
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis import render
from githubapp.cli.analyze import analyze_path

from .datasets import LOADERS, Case, dataset_root, external_dir, held_out, skipped_note

_PARAMS = re.compile(r"\[[^\]]*\]$")
_GREP = re.compile(r"error|fail|exception|panic|fatal|traceback", re.IGNORECASE)


def _lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def tail_lines(lines: Sequence[str], budget: int) -> set[int]:
    return set(range(max(1, len(lines) - budget + 1), len(lines) + 1))


def grep_lines(lines: Sequence[str], budget: int) -> set[int]:
    return set([i + 1 for i, line in enumerate(lines) if _GREP.search(line)][-budget:] if budget else [])


def ours(path: Path, budget: int) -> tuple[set[int], list[str]]:
    document = render.to_dict(analyze_path(path, budget=budget))
    chosen: set[int] = set()
    for start, end, *_ in document["excerpt"]:
        chosen.update(range(start, end + 1))
    if len(chosen) > budget:
        raise AssertionError(f"{path}: excerpt of {len(chosen)} lines exceeds the budget {budget}")
    tests = [f["test_id"] for f in document["failures"] if f["test_id"]]
    return chosen, tests


def _same_test(label: str, ours: str) -> bool:
    """A labeled id names the test; ours may add the file or the parametrization (``test_x[True]``)."""
    bare = _PARAMS.sub("", ours)
    return any(label == x or label.endswith(x) or x.endswith(label) for x in (ours, bare))


def found(case: Case, chosen: set[int]) -> list[bool]:
    return [any(a <= line <= b for a, b in item for line in chosen) for item in case.items]


def _ratio(hits: Iterable[bool]) -> tuple[int, int]:
    values = list(hits)
    return sum(values), len(values)


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--budget", type=int, action="append", help="line budget(s); default 100 and 30")
    parser.add_argument("--dataset", action="append", choices=sorted(LOADERS), help="default: all")
    parser.add_argument("--datasets", metavar="PATH", help="folder of external data sets (logchunks/); "
                        "default $CI_TRIAGE_DATASETS; the repository's own sets are used otherwise")
    parser.add_argument("--misses", action="store_true", help="list the labeled items missed at each budget")
    args = parser.parse_args(list(argv))
    external = external_dir(args.datasets)
    budgets = args.budget or [100, 30]
    names = args.dataset or ["logdx-dev", "logchunks", "cidiff"]
    roots = {name: dataset_root(name, external) for name in names}
    for name, root in roots.items():
        print(f"{name}: {root}" if root else skipped_note(name, external))
    if args.dataset and not all(roots.values()):
        return 2  # a set asked for by name must be there
    print(f"{'data set':<22} {'items':>5} {'budget':>6} {'ours':>7} {'tail':>7} {'grep':>7}")
    started = time.perf_counter()
    for name, base in roots.items():
        if base is None:
            continue
        cases = list(LOADERS[name](base))
        groups: dict[str, list[Case]] = {name: cases}
        if name == "logchunks":
            groups[f"{name} (dev)"] = [c for c in cases if not held_out(c.group)]
            groups[f"{name} (held-out)"] = [c for c in cases if held_out(c.group)]
        for budget in budgets:
            results: dict[str, tuple[list[bool], list[bool], list[bool]]] = {}
            test_hits: list[bool] = []
            misses: list[str] = []
            for case in cases:
                lines = _lines(case.path)
                chosen, tests = ours(case.path, budget)
                mine = found(case, chosen)
                results[case.path.as_posix() + case.name] = (
                    mine,
                    found(case, tail_lines(lines, budget)),
                    found(case, grep_lines(lines, budget)),
                )
                for item, ok in zip(case.items, mine, strict=True):
                    if not ok:
                        misses.append(f"  miss {case.name} {list(item)}")
                for test in case.tests:
                    test_hits.append(any(_same_test(test, t) for t in tests))
            for label, members in groups.items():
                keys = [c.path.as_posix() + c.name for c in members]
                row = [_ratio(h for k in keys for h in results[k][i]) for i in range(3)]
                total = row[0][1]
                cells = " ".join(f"{hit / total if total else 0:>7.3f}" for hit, _ in row)
                print(f"{label:<22} {total:>5} {budget:>6} {cells}")
            if test_hits:
                hit, total = _ratio(test_hits)
                label = f"{name} test ids"
                print(f"{label:<22} {total:>5} {budget:>6} {hit / total:>7.3f}   (failing-test-id recall)")
            if args.misses:
                print("\n".join(misses))
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
