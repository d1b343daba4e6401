"""Pure CI health metrics on constructed data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analysis.ci_metrics import (
    DeploymentStatus,
    FixRecord,
    FlakyTest,
    PatternHit,
    RunPoint,
    deployment_metrics,
    failure_rate,
    failure_rate_series,
    fix_rates,
    flaky_by_impact,
    sparkline_points,
    time_to_recovery,
    top_patterns,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_failure_rate_series_buckets_and_keeps_empty_ones() -> None:
    runs = [RunPoint(at(1), True), RunPoint(at(2), False), RunPoint(at(30), True), RunPoint(at(-1), True)]
    series = failure_rate_series(runs, start=T0, end=at(72), bucket=timedelta(days=1))
    assert [(b.runs, b.failed) for b in series] == [(2, 1), (1, 1), (0, 0)]
    assert [b.rate for b in series] == [0.5, 1.0, None]
    assert series[1].start == at(24)


def test_failure_rate_series_partial_last_bucket_and_bad_bucket() -> None:
    assert len(failure_rate_series([], start=T0, end=at(25), bucket=timedelta(days=1))) == 2
    assert failure_rate_series([], start=T0, end=T0, bucket=timedelta(days=1)) == []
    with pytest.raises(ValueError):
        failure_rate_series([], start=T0, end=at(1), bucket=timedelta(0))


def test_failure_rate() -> None:
    assert failure_rate([]) is None
    assert failure_rate([RunPoint(at(0), True), RunPoint(at(1), False), RunPoint(at(2), False)]) == pytest.approx(1 / 3)


def test_time_to_recovery_counts_a_streak_once_and_reports_an_open_one() -> None:
    runs = [
        RunPoint(at(0), False),
        RunPoint(at(1), True),  # episode 1 starts
        RunPoint(at(2), True),  # same streak
        RunPoint(at(4), False),  # recovered after 3 h
        RunPoint(at(5), True),  # episode 2
        RunPoint(at(6), False),  # recovered after 1 h
        RunPoint(at(9), True),  # still failing
    ]
    summary = time_to_recovery(reversed(runs))  # order of input does not matter
    assert summary.episodes == 2
    assert summary.median_seconds == pytest.approx(2 * 3600)
    assert summary.mean_seconds == pytest.approx(2 * 3600)
    assert summary.failing_since == at(9)
    assert time_to_recovery([]).median_seconds is None


def test_top_patterns_by_occurrences_and_by_time_lost() -> None:
    hits = [
        # pattern 1: three failures in one 10-minute run (time counted once)
        PatternHit(1, "flaky network", "r1", 10), PatternHit(1, "flaky network", "r1", 10),
        PatternHit(1, "flaky network", "r1", 10),
        # pattern 2: two runs of 30 minutes, the second shared with pattern 3 (split evenly)
        PatternHit(2, "compile error", "r2", 30), PatternHit(2, "compile error", "r3", 30),
        PatternHit(3, "lint", "r3", 30),
    ]
    by_count = top_patterns(hits, by="occurrences")
    assert [(p.pattern_id, p.occurrences, p.runs) for p in by_count] == [(1, 3, 1), (2, 2, 2), (3, 1, 1)]
    by_time = top_patterns(hits, by="time_lost", limit=2)
    assert [(p.pattern_id, p.minutes_lost) for p in by_time] == [(2, 45.0), (3, 15.0)]
    with pytest.raises(ValueError):
        top_patterns(hits, by="nope")


def test_flaky_by_impact_weights_score_by_failures() -> None:
    tests = [FlakyTest("a", 0.9, 1), FlakyTest("b", 0.3, 10), FlakyTest("c", 0.5, 4)]
    assert [t.test_id for t in flaky_by_impact(tests)] == ["b", "c", "a"]
    assert [t.test_id for t in flaky_by_impact(tests, limit=1)] == ["b"]


def test_fix_rates() -> None:
    fixes = [
        FixRecord("suggested"),
        FixRecord("applied", "worked"),
        FixRecord("applied", "failed"),
        FixRecord("suggested_in_review"),  # approved, outcome unknown
        FixRecord("rejected"),
    ]
    rates = fix_rates(fixes)
    assert (rates.suggested, rates.decided, rates.approved, rates.rejected) == (5, 4, 3, 1)
    assert rates.approval_rate == pytest.approx(0.75)
    assert rates.success_rate == pytest.approx(0.5)
    empty = fix_rates([FixRecord("suggested")])
    assert empty.approval_rate is None and empty.success_rate is None


def test_deployment_metrics_use_each_deployments_latest_final_status() -> None:
    statuses = [
        DeploymentStatus(1, "in_progress", at(0)),
        DeploymentStatus(1, "success", at(1)),
        DeploymentStatus(2, "failure", at(2)),
        DeploymentStatus(2, "success", at(3)),  # retried: counts as success
        DeploymentStatus(3, "error", at(4)),
        DeploymentStatus(4, "success", at(5), environment="preview"),
        DeploymentStatus(5, "success", at(24 * 30)),  # outside the window
    ]
    m = deployment_metrics(statuses, start=T0, end=at(24 * 14), environment="production")
    assert (m.deployments, m.successful, m.failed) == (3, 2, 1)
    assert m.per_week == pytest.approx(1.0)
    assert m.change_failure_rate == pytest.approx(1 / 3)
    assert deployment_metrics([], start=T0, end=at(1)).change_failure_rate is None


def test_sparkline_points() -> None:
    assert sparkline_points([0.0, None, 1.0], width=100, height=10) == [(0.0, 10.0), (100.0, 0.0)]
    assert sparkline_points([], width=1, height=1) == []
