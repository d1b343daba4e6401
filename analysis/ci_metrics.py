"""CI health metrics computed from plain rows: failure rate over time, time to recovery, top patterns, flaky
tests by impact, fix approval and success rates, deployment frequency and change failure rate.

Pure functions: the storage layer fetches rows, these turn them into numbers. Times are aware datetimes.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RunPoint:
    finished_at: datetime
    failed: bool
    duration_seconds: float | None = None


@dataclass(frozen=True)
class RateBucket:
    start: datetime
    runs: int
    failed: int

    @property
    def rate(self) -> float | None:
        return self.failed / self.runs if self.runs else None


def failure_rate_series(
    runs: Iterable[RunPoint], *, start: datetime, end: datetime, bucket: timedelta
) -> list[RateBucket]:
    """Runs and failed runs per ``bucket`` from ``start`` (inclusive) to ``end`` (exclusive); empty buckets kept
    so a chart has a point for every interval."""
    if bucket <= timedelta(0):
        raise ValueError("bucket must be positive")
    if end <= start:
        return []
    count = -(-(end - start) // bucket)  # ceiling division of timedeltas
    totals = [[0, 0] for _ in range(count)]
    for run in runs:
        if not start <= run.finished_at < end:
            continue
        index = (run.finished_at - start) // bucket
        totals[index][0] += 1
        totals[index][1] += int(run.failed)
    return [RateBucket(start + i * bucket, n, f) for i, (n, f) in enumerate(totals)]


def failure_rate(runs: Iterable[RunPoint]) -> float | None:
    points = list(runs)
    return sum(r.failed for r in points) / len(points) if points else None


@dataclass(frozen=True)
class Recovery:
    failed_at: datetime  # first failing run after a passing one
    recovered_at: datetime  # next passing run

    @property
    def seconds(self) -> float:
        return (self.recovered_at - self.failed_at).total_seconds()


def recoveries(runs: Iterable[RunPoint]) -> tuple[list[Recovery], datetime | None]:
    """Failing → passing episodes of one branch, and the start of an episode still failing (None if green).

    A streak of failures counts once, from its first failure to the next success."""
    episodes: list[Recovery] = []
    failing_since: datetime | None = None
    for run in sorted(runs, key=lambda r: r.finished_at):
        if run.failed:
            if failing_since is None:
                failing_since = run.finished_at
        elif failing_since is not None:
            episodes.append(Recovery(failing_since, run.finished_at))
            failing_since = None
    return episodes, failing_since


@dataclass(frozen=True)
class RecoverySummary:
    episodes: int
    median_seconds: float | None
    mean_seconds: float | None
    failing_since: datetime | None


def time_to_recovery(runs: Iterable[RunPoint]) -> RecoverySummary:
    episodes, failing_since = recoveries(runs)
    durations = [e.seconds for e in episodes]
    return RecoverySummary(
        len(episodes),
        statistics.median(durations) if durations else None,
        statistics.fmean(durations) if durations else None,
        failing_since,
    )


@dataclass(frozen=True)
class PatternHit:
    """One failure of a pattern in a run; ``run_key`` identifies the run, ``minutes`` its failed job time."""

    pattern_id: int
    title: str
    run_key: str
    minutes: float | None = None


@dataclass(frozen=True)
class PatternImpact:
    pattern_id: int
    title: str
    occurrences: int
    runs: int
    minutes_lost: float


def pattern_impacts(hits: Iterable[PatternHit]) -> list[PatternImpact]:
    """Per pattern: failures, distinct runs and minutes lost. A run's time counts once per pattern however
    many of its failures belong to that pattern, and is split evenly between the patterns that broke it."""
    hits = list(hits)
    patterns_per_run: dict[str, set[int]] = {}
    for hit in hits:
        patterns_per_run.setdefault(hit.run_key, set()).add(hit.pattern_id)
    occurrences: dict[int, int] = {}
    titles: dict[int, str] = {}
    run_minutes: dict[int, dict[str, float]] = {}
    for hit in hits:
        occurrences[hit.pattern_id] = occurrences.get(hit.pattern_id, 0) + 1
        titles.setdefault(hit.pattern_id, hit.title)
        share = (hit.minutes or 0.0) / len(patterns_per_run[hit.run_key])
        run_minutes.setdefault(hit.pattern_id, {})[hit.run_key] = share
    return [
        PatternImpact(pid, titles[pid], occurrences[pid], len(run_minutes[pid]), sum(run_minutes[pid].values()))
        for pid in occurrences
    ]


def top_patterns(hits: Iterable[PatternHit], *, by: str = "occurrences", limit: int = 10) -> list[PatternImpact]:
    impacts = pattern_impacts(hits)
    if by == "occurrences":
        impacts.sort(key=lambda p: (-p.occurrences, -p.minutes_lost, p.pattern_id))
    elif by == "time_lost":
        impacts.sort(key=lambda p: (-p.minutes_lost, -p.occurrences, p.pattern_id))
    else:
        raise ValueError(f"unknown ordering {by!r}")
    return impacts[:limit]


@dataclass(frozen=True)
class FlakyTest:
    test_id: str
    score: float  # 0..1, the flake score
    failures: int  # failed outcomes in the window
    last_seen: datetime | None = None
    repository_id: int | None = None

    @property
    def impact(self) -> float:
        """Expected spurious failures: how often it failed, weighted by how likely each was a flake."""
        return self.score * self.failures


def flaky_by_impact(tests: Iterable[FlakyTest], *, limit: int | None = None) -> list[FlakyTest]:
    ranked = sorted(tests, key=lambda t: (-t.impact, -t.score, t.test_id))
    return ranked if limit is None else ranked[:limit]


@dataclass(frozen=True)
class FixRecord:
    status: str  # suggested | applied | suggested_in_review | rejected | failed
    outcome: str | None = None  # worked | failed, once the next run has told


@dataclass(frozen=True)
class FixRates:
    suggested: int
    decided: int
    approved: int
    rejected: int
    approval_rate: float | None  # approved / decided
    success_rate: float | None  # worked / approved fixes whose outcome is known


APPROVED_STATUSES = frozenset({"applied", "suggested_in_review", "failed"})  # "failed": approved, apply failed


def fix_rates(fixes: Iterable[FixRecord]) -> FixRates:
    fixes = list(fixes)
    approved = [f for f in fixes if f.status in APPROVED_STATUSES]
    rejected = sum(f.status == "rejected" for f in fixes)
    decided = len(approved) + rejected
    known = [f for f in approved if f.outcome in ("worked", "failed")]
    worked = sum(f.outcome == "worked" for f in known)
    return FixRates(
        suggested=len(fixes),
        decided=decided,
        approved=len(approved),
        rejected=rejected,
        approval_rate=len(approved) / decided if decided else None,
        success_rate=worked / len(known) if known else None,
    )


@dataclass(frozen=True)
class DeploymentStatus:
    deployment_id: int
    state: str  # success | failure | error | inactive | in_progress | queued | pending
    created_at: datetime
    environment: str = "production"


@dataclass(frozen=True)
class DeploymentMetrics:
    deployments: int  # deployments that reached a final state
    successful: int
    failed: int
    per_week: float  # successful deployments per 7 days over the window
    change_failure_rate: float | None


FINAL_STATES = {"success": True, "failure": False, "error": False}


def deployment_metrics(
    statuses: Iterable[DeploymentStatus], *, start: datetime, end: datetime, environment: str | None = None
) -> DeploymentMetrics:
    """DORA-style numbers from deployment_status events: each deployment's latest final status decides whether
    it succeeded; statuses outside [start, end) or other environments are ignored."""
    final: dict[int, tuple[datetime, bool]] = {}
    for status in statuses:
        if environment is not None and status.environment != environment:
            continue
        if status.state not in FINAL_STATES or not start <= status.created_at < end:
            continue
        seen = final.get(status.deployment_id)
        if seen is None or status.created_at >= seen[0]:
            final[status.deployment_id] = (status.created_at, FINAL_STATES[status.state])
    successful = sum(ok for _, ok in final.values())
    failed = len(final) - successful
    weeks = max((end - start) / timedelta(days=7), 1e-9)
    return DeploymentMetrics(
        deployments=len(final),
        successful=successful,
        failed=failed,
        per_week=successful / weeks,
        change_failure_rate=failed / len(final) if final else None,
    )


def sparkline_points(values: Sequence[float | None], *, width: float, height: float) -> list[tuple[float, float]]:
    """Chart coordinates (SVG: y grows downwards) for values in 0..1; gaps (None) are skipped."""
    if not values:
        return []
    step = width / max(len(values) - 1, 1)
    return [(i * step, height - v * height) for i, v in enumerate(values) if v is not None]
