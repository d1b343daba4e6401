"""Matching quality: pairwise precision, recall and F1 of "same pattern" through ``ci-triage replay``.

    python -m benchmarks matching [--json] [--threshold T] [--seed-threshold 0.85]

Two corpora, each replayed "as if from one repository" (one replay per group, each into its own installation
of one temporary embedded PostgreSQL):

- **dev**: real tool output re-run with other timestamps, durations, temp paths, ids and shifted line numbers
  (``benchmarks/dev_corpus.py``); the other sources are hard negatives (same tool, another fault). Label: the
  source's fault group.
- **logchunks**: 797 real Travis CI logs of 80 repositories (one replay per repository, in job order). Label:
  the repository's ``category`` (logs that fail the same way).

Two logs of one replay are "same" when their labels are equal. "Predicted same", two ways, both reported:

- **primary** (the headline): the logs' primary (first) failures got the same pattern: the replay's own
  log-level answer (``pattern_id`` of a log in ``ci-triage replay --json``). It relies on the engine keeping
  CI noise (setup chatter, ``command not found`` in a script that went on) out of first place;
- **set**: the logs' failures got the same set of patterns (every secondary failure must agree too).

Logs without a failure are never predicted same.

Held-out: groups are split in two halves by a hash of their name (dev: fault groups; logchunks:
repositories). The threshold is calibrated on the *calibration* half only, by simulating the assignment
rule in memory (``analysis.matching.decide`` + ``update_centroid``, exact cosine) over a grid: the highest
pooled F1 (of ``--mode``, default "primary") whose precision on each corpus is at least
``--min-precision``; when no threshold reaches that precision, the highest pooled F0.5 (precision weighs
more: a wrong "seen before" costs more than a miss). Then the real replay runs on both halves with that
threshold; quote the *held-out* figures.

``--ceiling`` also measures what content similarity can reach on LogChunks at all: the same assignment rule
and pairwise measure, with each log's failure replaced by its *labeled* chunk (the human-chosen text that
explains the failure), or by its labeled keywords, over the whole threshold grid. Its best F1 at precision
>= ``--min-precision`` bounds any matcher that compares failure texts against these labels.
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
from analysis.matching import Candidate, decide, failure_text, update_centroid
from analysis.signature import signature
from analysis.types import Failure, FailureKind

from . import dev_corpus as corpus
from .datasets import dataset_root, external_dir, skipped_note

GRID = [round(0.40 + 0.02 * i, 2) for i in range(30)]  # 0.40 .. 0.98
WIDE_GRID = [round(0.10 + 0.02 * i, 2) for i in range(45)]  # 0.10 .. 0.98, for the ceiling


@dataclass
class Group:
    """One replay: logs in order, with their labels."""

    corpus: str
    name: str
    logs: list[Path]
    labels: list[str]
    failures: list[list[Failure]] = field(default_factory=list)
    sources: list[str] | None = None  # dev: each log's source (ambiguous cross-source pairs are not scored)

    @property
    def split(self) -> str:
        digest = hashlib.sha1(f"{self.corpus}:{self.name}".encode()).digest()
        return "calibration" if digest[0] % 2 == 0 else "held-out"


def dev_groups(work: Path) -> list[Group]:
    logs = corpus.build(work / "dev")
    by_split: dict[str, Group] = {}
    for log in logs:  # already in a shuffled replay order
        digest = hashlib.sha1(f"dev:{log.group}".encode()).digest()
        half = "calibration" if digest[0] % 2 == 0 else "held-out"
        group = by_split.setdefault(half, Group("dev", half, [], [], sources=[]))
        group.logs.append(log.path)
        group.labels.append(log.group)
        assert group.sources is not None
        group.sources.append(log.source)
    return list(by_split.values())


def logchunks_groups(root: Path) -> list[Group]:
    rows = [json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines()]
    by_repo: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_repo.setdefault(row["repo"], []).append(row)
    groups = []
    for repo, items in sorted(by_repo.items()):
        items.sort(key=lambda r: int(r["job_id"]))
        groups.append(
            Group("logchunks", repo, [root / r["log_path"] for r in items], [str(r["category"]) for r in items])
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
        return self.f_beta(1.0)

    def f_beta(self, beta: float) -> float:
        p, r = self.precision, self.recall
        return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


MODES = ("primary", "set")


def pairwise(group: Group, assigned: Sequence[Sequence[int]], mode: str) -> Counts:
    """Pair counts of one replay; ``assigned``: the pattern ids of each log's failures, in order."""
    counts = Counts()
    labels, sources = group.labels, group.sources
    for a, b in itertools.combinations(range(len(labels)), 2):
        if sources and sources[a] != sources[b] and {sources[a], sources[b]} <= corpus.AMBIGUOUS:
            continue
        same = labels[a] == labels[b]
        pa, pb = assigned[a], assigned[b]
        if not pa or not pb:
            guess = False
        elif mode == "primary":
            guess = pa[0] == pb[0]
        else:
            guess = set(pa) == set(pb)
        if guess and same:
            counts.tp += 1
        elif guess:
            counts.fp += 1
        elif same:
            counts.fn += 1
    return counts


def simulate(group: Group, vectors: list[np.ndarray], threshold: float) -> list[list[int]]:
    """The assignment rule in memory, in replay order: the pattern owning the signature key, else the nearest
    centroid *of the same signature scope* at or above the threshold, else new; generic failures always new."""
    centroids: list[np.ndarray] = []
    counts: list[int] = []
    scopes: list[str] = []
    owners: dict[str, int] = {}
    assigned: list[list[int]] = []
    for failures, vecs in zip(group.failures, vectors, strict=True):
        patterns: list[int] = []
        for failure, vector in zip(failures, vecs, strict=True):
            sig = signature(failure)
            nearest: list[Candidate] = []
            same_scope = [i for i, scope in enumerate(scopes) if scope == sig.scope] if not sig.generic else []
            if same_scope:
                matrix = np.stack([centroids[i] for i in same_scope])
                sims = matrix @ vector / np.maximum(np.linalg.norm(matrix, axis=1), 1e-9)
                nearest = [Candidate(same_scope[int(i)], float(sims[i])) for i in np.argsort(-sims)[:5]]
            decision = decide(owners.get(sig.key), nearest, threshold, generic=sig.generic)
            if decision.pattern_id is None:
                centroids.append(vector.copy())
                counts.append(1)
                scopes.append(sig.scope)
                pid = len(centroids) - 1
            else:
                pid = decision.pattern_id
                centroids[pid] = update_centroid(centroids[pid], counts[pid], vector)
                counts[pid] += 1
            if not sig.generic:
                owners.setdefault(sig.key, pid)
            patterns.append(pid)
        assigned.append(patterns)
    return assigned


def calibrate(
    groups: list[Group], embedder: Embedder, *, min_precision: float, mode: str = "primary"
) -> tuple[float, list[dict[str, Any]]]:
    calibration = [g for g in groups if _split_of(g) == "calibration"]
    vectors = {id(g): [embedder.embed([failure_text(f) for f in fs]) for fs in g.failures] for g in calibration}
    table: list[dict[str, Any]] = []
    for threshold in GRID:
        per: dict[str, Counts] = {}
        for g in calibration:
            per.setdefault(g.corpus, Counts()).add(pairwise(g, simulate(g, vectors[id(g)], threshold), mode))
        pooled = Counts()
        for c in per.values():
            pooled.add(c)
        table.append(
            {
                "threshold": threshold,
                "pooled": {**pooled.as_json(), "f0.5": round(pooled.f_beta(0.5), 4)},
                **{name: c.as_json() for name, c in per.items()},
            }
        )
    eligible = [row for row in table if all(row[c]["precision"] >= min_precision for c in ("dev", "logchunks"))]
    if eligible:
        best = max(eligible, key=lambda row: (row["pooled"]["f1"], row["threshold"]))
    else:
        best = max(table, key=lambda row: (row["pooled"]["f0.5"], row["threshold"]))
    return float(best["threshold"]), table


async def replay_groups(groups: list[Group], threshold: float) -> dict[str, dict[str, dict[str, Counts]]]:
    """The real path: githubapp.cli.history.replay per group, one installation per group.
    Returns mode -> corpus -> split -> counts."""
    from githubapp.cli.history import replay, temporary_database

    results: dict[str, dict[str, dict[str, Counts]]] = {}
    async with temporary_database() as url:
        for index, group in enumerate(groups, start=1):
            replayed = await replay(
                group.logs, database_url=url, threshold=threshold, installation_id=index * 1000 + int(threshold * 100)
            )
            assigned = [[int(f["pattern_id"]) for f in r.failures] for r in replayed]
            for mode in MODES:
                by_corpus = results.setdefault(mode, {}).setdefault(group.corpus, {})
                by_corpus.setdefault(_split_of(group), Counts()).add(pairwise(group, assigned, mode))
    return results


def labeled_groups(root: Path, field_name: str = "chunk") -> list[Group]:
    """LogChunks groups whose one failure per log is the label itself (``chunk`` or ``keywords``)."""
    parsed = (json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines())
    rows = {row["log_path"]: row for row in parsed}
    groups = logchunks_groups(root)
    for group in groups:
        labels = [rows[str(path.relative_to(root))] for path in group.logs]
        texts = [" ".join(r["keywords"]) if field_name == "keywords" else str(r["chunk"]) for r in labels]
        group.failures = [[Failure(kind=FailureKind.UNKNOWN, tool="", message=text)] for text in texts]
    return groups


def ceiling(embedder: Embedder, root: Path, *, min_precision: float) -> dict[str, Any]:
    """Best F1 at ``min_precision`` over the grid, per split, when the failure text is the label itself."""
    report: dict[str, Any] = {}
    for field_name in ("chunk", "keywords"):
        groups = labeled_groups(root, field_name=field_name)
        vectors = {id(g): [embedder.embed([failure_text(f) for f in fs]) for fs in g.failures] for g in groups}
        best: dict[str, dict[str, Any]] = {}
        for threshold in WIDE_GRID:
            per: dict[str, Counts] = {}
            for g in groups:
                per.setdefault(g.split, Counts()).add(pairwise(g, simulate(g, vectors[id(g)], threshold), "primary"))
            for split, c in per.items():
                current = best.get(split)
                if c.precision >= min_precision and (current is None or c.f1 > current["f1"]):
                    best[split] = {"threshold": threshold, **c.as_json()}
        report[field_name] = best
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks matching", description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, help="skip calibration and replay with this threshold")
    parser.add_argument("--seed-threshold", type=float, default=0.85, help="also replay with this (0 to skip)")
    parser.add_argument("--min-precision", type=float, default=0.95)
    parser.add_argument("--mode", choices=MODES, default="primary", help="what calibration optimizes")
    parser.add_argument("--ceiling", action="store_true", help="also match LogChunks' labeled chunks/keywords")
    parser.add_argument("--datasets", metavar="PATH", help="external data sets; default $CI_TRIAGE_DATASETS")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    found = dataset_root("logchunks", external_dir(args.datasets))
    logchunks = found / "logchunks" if found else None
    if logchunks is None:
        print(skipped_note("logchunks", external_dir(args.datasets)) + "; the dev corpus alone")
    from analysis.engine import analyze_bytes

    report: dict[str, Any] = {}
    embedder = HashingEmbedder()
    with tempfile.TemporaryDirectory(prefix="ci-triage-bench-matching-") as tmp:
        t0 = time.perf_counter()
        groups = dev_groups(Path(tmp)) + (logchunks_groups(logchunks) if logchunks else [])
        for g in groups:
            g.failures = [list(analyze_bytes(p.read_bytes()).failures) for p in g.logs]
        report["logs"] = sum(len(g.logs) for g in groups)
        report["analysis_s"] = round(time.perf_counter() - t0, 1)
        if args.threshold is None:
            threshold, table = calibrate(groups, embedder, min_precision=args.min_precision, mode=args.mode)
            report["calibration_grid"] = table
        else:
            threshold = args.threshold
        report["threshold"] = threshold
        runs = [threshold]
        if args.seed_threshold and args.seed_threshold != threshold:
            runs.append(args.seed_threshold)
        report["replay"] = {}
        for t in runs:
            t0 = time.perf_counter()
            counts = asyncio.run(replay_groups(groups, t))
            report["replay"][str(t)] = {
                mode: {
                    corpus_name: {split: c.as_json() for split, c in by_split.items()}
                    for corpus_name, by_split in by_corpus.items()
                }
                for mode, by_corpus in counts.items()
            }
            report["replay"][str(t)]["seconds"] = round(time.perf_counter() - t0, 1)
    if args.ceiling and logchunks is not None:
        report["ceiling"] = ceiling(embedder, logchunks, min_precision=args.min_precision)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['logs']} logs analyzed in {report['analysis_s']} s; embedder {embedder.name}")
    if "calibration_grid" in report:
        print(
            f"threshold calibrated on the calibration half: {threshold} (highest pooled F1 of {args.mode!r} with "
            f"precision >= "
            f"{args.min_precision} on both corpora, else highest F0.5)"
        )
    for t, by_mode in report["replay"].items():
        print(f"replay at threshold {t} ({by_mode['seconds']} s):")
        for mode in MODES:
            for corpus_name in ("dev", "logchunks"):
                for split in ("calibration", "held-out"):
                    r = by_mode[mode].get(corpus_name, {}).get(split)
                    if r:
                        print(
                            f"  {mode:<8} {corpus_name:<10} {split:<12} P {r['precision']:.3f}  "
                            f"R {r['recall']:.3f}  F1 {r['f1']:.3f}  (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})"
                        )
    for field_name, by_split in report.get("ceiling", {}).items():
        print(f"ceiling: LogChunks' labeled {field_name} as the failure text, best F1 at P >= {args.min_precision}:")
        for split in ("calibration", "held-out"):
            r = by_split.get(split)
            if r:
                print(
                    f"  {split:<12} threshold {r['threshold']}: P {r['precision']:.3f}  R {r['recall']:.3f}  "
                    f"F1 {r['f1']:.3f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
