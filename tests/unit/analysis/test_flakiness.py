"""Flake scoring on constructed histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analysis.flakiness import (
    FlakeStatus,
    Outcome,
    TestOutcome,
    infra_job_runs,
    quarantine_suggestions,
    score_test,
    score_tests,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
P, F = Outcome.PASSED, Outcome.FAILED


def o(
    test: str,
    sha: str,
    outcome: Outcome,
    *,
    days: float = 1,
    run: int = 1,
    attempt: int = 1,
    job: str = "test",
    branch: str | None = "feature",
    infra: bool = False,
) -> TestOutcome:
    return TestOutcome(test, sha, outcome, NOW - timedelta(days=days), run, attempt, job, branch, infra)


def test_pass_on_retry_is_flaky_evidence() -> None:
    history = [
        o("t", "a", F, run=1),
        o("t", "a", P, run=1, attempt=2),
        o("t", "b", F, run=2),
        o("t", "b", P, run=2, attempt=2),
        o("t", "c", P, run=3),
    ]
    s = score_test("t", history, now=NOW)
    assert s.status is FlakeStatus.FLAKY and s.flaky_shas == 2 and s.pass_on_retry == 2
    assert s.failures == 2 and s.passes == 3 and s.fail_rate == 0.4
    assert 0.6 < s.score <= 1.0


def test_failed_in_one_job_passed_in_another_on_the_same_sha() -> None:
    # Not a re-run: two jobs (e.g. two OS) on one commit disagree.
    history = [o("t", "a", F, run=1, job="linux"), o("t", "a", P, run=1, job="mac")]
    s = score_test("t", history, now=NOW)
    assert s.flaky_shas == 1 and s.pass_on_retry == 0 and s.status is FlakeStatus.FLAKY


def test_consistent_failure_is_not_flaky() -> None:
    history = [o("t", sha, F, run=i) for i, sha in enumerate("abc")]
    s = score_test("t", history, now=NOW)
    assert s.score == 0 and s.status is FlakeStatus.STABLE


def test_consistent_failure_on_the_default_branch_is_broken() -> None:
    history = [
        o("t", "old", P, days=5, branch="main"),
        o("t", "x", F, days=2, branch="main"),
        o("t", "y", F, days=1, branch="main"),
    ]
    assert score_test("t", history, now=NOW, default_branch="main").status is FlakeStatus.BROKEN
    # One default-branch failure alone is not "broken" yet.
    assert score_test("t", history[:2], now=NOW, default_branch="main").status is not FlakeStatus.BROKEN


def test_recent_evidence_weighs_more() -> None:
    recent = [o("t", "a", F, days=1), o("t", "a", P, days=1, attempt=2)]
    old = [o("t", "a", F, days=25), o("t", "a", P, days=25, attempt=2)]
    assert score_test("t", recent, now=NOW).score > score_test("t", old, now=NOW).score
    # Outside the window: nothing is known.
    ancient = [o("t", "a", F, days=60), o("t", "a", P, days=60, attempt=2)]
    assert score_test("t", ancient, now=NOW).status is FlakeStatus.UNKNOWN


def test_infrastructure_failures_are_not_flakes() -> None:
    # Run 1 attempt 1: the runner lost its network; 8 of 10 tests failed. The re-run passed everything.
    tests = [f"t{i}" for i in range(10)]
    history = [o(t, "a", F if i < 8 else P, run=1) for i, t in enumerate(tests)]
    history += [o(t, "a", P, run=1, attempt=2) for t in tests]
    assert infra_job_runs(history) == {(1, 1, "test")}
    scores = score_tests(history, now=NOW)
    assert all(s.status is FlakeStatus.STABLE for s in scores.values())
    assert scores["t0"].infra_excluded == 1 and scores["t0"].flaky_shas == 0
    # A job flagged infra (runner/network failure) is excluded even when only one test failed.
    flagged = [o("t", "a", F, infra=True), o("t", "a", P, attempt=2)]
    assert score_test("t", flagged, now=NOW).flaky_shas == 0


def test_quarantine_needs_repeated_evidence_and_expires() -> None:
    once = [o("once", "a", F), o("once", "a", P, attempt=2)]
    often = [
        x for i, sha in enumerate("abc") for x in (o("often", sha, F, run=i), o("often", sha, P, run=i, attempt=2))
    ]
    scores = score_tests(once + often, now=NOW)
    assert scores["once"].flaky and scores["often"].flaky
    suggestions = quarantine_suggestions(scores.values(), now=NOW)
    assert [q.test_id for q in suggestions] == ["often"]
    assert suggestions[0].expires_at == NOW + timedelta(days=14)
    assert "3 times" in suggestions[0].reason
