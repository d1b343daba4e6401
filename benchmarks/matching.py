"""Matching quality: pairwise precision, recall and F1 of "same pattern" through ``ci-triage replay``.

    python -m benchmarks matching [--json] [--threshold T] [--seed-threshold 0.85]

Two corpora, each replayed "as if from one repository" (one replay per group, each into its own installation
of one temporary embedded PostgreSQL):

- **dev**: real tool output re-run with other timestamps, durations, temp paths, ids and shifted line numbers
  (``benchmarks/corpus.py``); the other sources are hard negatives (same tool, another fault). Label: the
  source's fault group.
- **logchunks**: 797 real Travis CI logs of 80 repositories (one replay per repository, in job order). Label:
  the repository's ``category`` (logs that fail the same way).

A log's prediction is the pattern of its first (most important) failure; two logs of one replay are
"predicted same" when those patterns are equal, and "same" when their labels are equal. Logs without a
failure are never predicted same.

Held-out: groups are split in two halves by a hash of their name (dev: fault groups; logchunks:
repositories). The threshold is calibrated on the *calibration* half only, by simulating the assignment
rule in memory (``analysis.matching.decide`` + ``update_centroid``, exact cosine) over a grid: the highest
F1 whose precision on the calibration half is at least ``--min-precision``. Then the real replay runs on both
halves with that threshold and the figures of the *held-out* half are the ones to quote.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analysis.embedding import Embedder, HashingEmbedder
from analysis.matching import Candidate, decide, failure_fingerprint, failure_text, update_centroid
from analysis.types import Failure

from . import corpus

LOGCHUNKS = Path("/work/shared/datasets/logchunks")
GRID = [round(0.40 + 0.02 * i, 2) for i in range(30)]  # 0.40 .. 0.98


@dataclass
class Group:
    """One replay: logs in order, with their labels."""

    corpus: str
    name: str
    logs: list[Path]
    labels: list[str]
    failures: list[list[Failure]] = field(default_factory=list)

    @property
    def split(self) -> str:
        digest = hashlib.sha1(f"{self.corpus}:{self.name}".encode()).digest()  # noqa: S324 (not security)
        return "calibration" if digest[0] % 2 == 0 else "held-out"


def dev_groups(work: Path) -> list[Group]:
    logs = corpus.build(work / "dev")
    by_split: dict[str, Group] = {}
    for log in logs:  # already in a shuffled replay order
        digest = hashlib.sha1(f"dev:{log.group}".encode()).digest()  # noqa: S324
        half = "calibration" if digest[0] % 2 == 0 else "held-out"
        group = by_split.setdefault(half, Group("dev", half, [], []))
        group.logs.append(log.path)
        group.labels.append(log.group)
    return list(by_split.values())


def logchunks_groups(root: Path = LOGCHUNKS) -> list[Group]:
    rows = [json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines()]
    by_repo: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_repo.setdefault(row["repo"], []).append(row)
    groups = []
    for repo, items in sorted(by_repo.items()):
        items.sort(key=lambda r: int(r["job_id"]))
        groups.append(
            Group(
                "logchunks", repo, [root / r["log_path"] for r in items], [str(r["category"]) for r in items]
            )
        )
    return groups


def _split_of(group: Group) -> str:
    return group.name if group.corpus == "dev" else group.split


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def pairwise(labels: Sequence[str], predicted: Sequence[int | None]) -> Counts:
    counts = Counts()
    for a, b in itertools.combinations(range(len(labels)), 2):
        same = labels[a] == labels[b]
        guess = predicted[a] is not None and predicted[a] == predicted[b]
        if guess and same:
            counts.tp += 1
        elif guess:
            counts.fp += 1
        elif same:
            counts.fn += 1
    return counts


def simulate(group: Group, vectors: list[np.ndarray], threshold: float) -> list[int | None]:
    """The assignment rule in memory (fingerprint, nearest centroid above threshold, new), in replay order."""
    centroids: list[np.ndarray] = []
    counts: list[int] = []
    owners: dict[str, int] = {}
    primary: list[int | None] = []
    for failures, vecs in zip(group.failures, vectors, strict=True):
        first: int | None = None
        for failure, vector in zip(failures, vecs, strict=True):
            fingerprint = failure_fingerprint(failure)
            if centroids:
                sims = (
                    np.stack(centroids)
                    @ vector
                    / np.maximum(np.linalg.norm(np.stack(centroids), axis=1), 1e-9)
                )
                top = np.argsort(-sims)[:5]
                nearest = [Candidate(int(i), float(sims[i])) for i in top]
            else:
                nearest = []
            decision = decide(owners.get(fingerprint), nearest, threshold)
            if decision.pattern_id is None:
                centroids.append(vector.copy())
                counts.append(1)
                pid = len(centroids) - 1
            else:
                pid = decision.pattern_id
                centroids[pid] = update_centroid(centroids[pid], counts[pid], vector)
                counts[pid] += 1
            owners.setdefault(fingerprint, pid)
            if first is None:
                first = pid
        primary.append(first)
    return primary


def calibrate(
    groups: list[Group], embedder: Embedder, *, min_precision: float
) -> tuple[float, list[dict[str, Any]]]:
    calibration = [g for g in groups if _split_of(g) == "calibration"]
    vectors = {
        id(g): [embedder.embed([failure_text(f) for f in fs]) for fs in g.failures] for g in calibration
    }
    table = []
    for threshold in GRID:
        per: dict[str, Counts] = {}
        for g in calibration:
            per.setdefault(g.corpus, Counts()).add(pairwise(g.labels, simulate(g, vectors[id(g)], threshold)))
        pooled = Counts()
        for c in per.values():
            pooled.add(c)
        table.append(
            {
                "threshold": threshold,
                "pooled": pooled.as_json(),
                **{name: c.as_json() for name, c in per.items()},
            }
        )
    eligible = [
        row for row in table if all(row[c]["precision"] >= min_precision for c in ("dev", "logchunks"))
    ]
    best = max(eligible or table, key=lambda row: (row["pooled"]["f1"], row["threshold"]))
    return float(best["threshold"]), table


async def replay_groups(groups: list[Group], threshold: float) -> dict[str, dict[str, Counts]]:
    """The real path: githubapp.history_cli.replay per group, one installation per group."""
    from githubapp.history_cli import replay, temporary_database

    results: dict[str, dict[str, Counts]] = {}
    async with temporary_database() as url:
        for index, group in enumerate(groups, start=1):
            replayed = await replay(
                group.logs,
                database_url=url,
                threshold=threshold,
                installation_id=index * 1000 + int(threshold * 100),
            )
            primary = [r.failures[0]["pattern_id"] if r.failures else None for r in replayed]
            split = _split_of(group)
            results.setdefault(group.corpus, {}).setdefault(split, Counts()).add(
                pairwise(group.labels, primary)
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks matching", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--threshold", type=float, help="skip calibration and replay with this threshold")
    parser.add_argument(
        "--seed-threshold", type=float, default=0.85, help="also replay with this (0 to skip)"
    )
    parser.add_argument("--min-precision", type=float, default=0.95)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from analysis.engine import analyze_bytes  # type: ignore[import-not-found, unused-ignore]

    report: dict[str, Any] = {}
    embedder = HashingEmbedder()
    with tempfile.TemporaryDirectory(prefix="ci-triage-bench-matching-") as tmp:
        t0 = time.perf_counter()
        groups = dev_groups(Path(tmp)) + logchunks_groups()
        for g in groups:
            g.failures = [list(analyze_bytes(p.read_bytes()).failures) for p in g.logs]
        report["logs"] = sum(len(g.logs) for g in groups)
        report["analysis_s"] = round(time.perf_counter() - t0, 1)
        if args.threshold is None:
            threshold, table = calibrate(groups, embedder, min_precision=args.min_precision)
            report["calibration_grid"] = table
        else:
            threshold = args.threshold
        report["threshold"] = threshold
        runs = [threshold] + (
            [args.seed_threshold] if args.seed_threshold and args.seed_threshold != threshold else []
        )
        report["replay"] = {}
        for t in runs:
            t0 = time.perf_counter()
            counts = asyncio.run(replay_groups(groups, t))
            report["replay"][str(t)] = {
                corpus_name: {split: c.as_json() for split, c in by_split.items()}
                for corpus_name, by_split in counts.items()
            }
            report["replay"][str(t)]["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['logs']} logs analyzed in {report['analysis_s']} s; embedder {embedder.name}")
    if "calibration_grid" in report:
        print(
            f"threshold calibrated on the calibration half: {threshold} "
            f"(highest pooled F1 with precision >= {args.min_precision} on both corpora)"
        )
    for t, by_corpus in report["replay"].items():
        print(f"replay at threshold {t} ({by_corpus['seconds']} s):")
        for corpus_name in ("dev", "logchunks"):
            for split in ("calibration", "held-out"):
                r = by_corpus.get(corpus_name, {}).get(split)
                if r:
                    print(
                        f"  {corpus_name:<10} {split:<12} P {r['precision']:.3f}  R {r['recall']:.3f}  "
                        f"F1 {r['f1']:.3f}  (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
