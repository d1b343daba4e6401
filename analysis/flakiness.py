"""Flake scoring from test outcomes, pure.

Evidence that a test is flaky: on one head sha it both failed and passed (a re-run, or another job). A test
that fails consistently on the default branch is *broken*, not flaky. Outcomes from infrastructure trouble
(runner/network failures, or job runs where most tests failed at once) are set aside: they say nothing
about the test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

HALF_LIFE_DAYS = 7.0  # evidence from a week ago counts half
WINDOW_DAYS = 30
FLAKY_SCORE = 0.4  # at or above: reported as flaky
QUARANTINE_SCORE = 0.6  # at or above (with at least QUARANTINE_FLIPS flips): suggest quarantine
QUARANTINE_FLIPS = 2
QUARANTINE_DAYS = 14  # a quarantine suggestion expires: the test must earn it again
MASS_FAILURE_SHARE = 0.5  # a job run where more than half its tests failed ...
MASS_FAILURE_MIN = 5  # ... and at least this many: infrastructure, not the tests
BROKEN_STREAK = 2  # consecutive default-branch shas where it failed and never passed


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class FlakeStatus(StrEnum):
    STABLE = "stable"
    FLAKY = "flaky"
    BROKEN = "broken"
    UNKNOWN = "unknown"  # not enough evidence


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # not a pytest class

    test_id: str
    head_sha: str
    outcome: Outcome
    recorded_at: datetime
    run_id: int | None = None
    run_attempt: int = 1
    job: str = ""
    branch: str | None = None
    infra: bool = False  # the job failed for runner/network reasons

    @property
    def job_run(self) -> tuple[int | None, int, str]:
        return (self.run_id, self.run_attempt, self.job)


@dataclass(frozen=True)
class FlakeScore:
    test_id: str
    score: float  # 0..1
    status: FlakeStatus
    runs: int  # non-infra pass/fail outcomes in the window
    failures: int
    passes: int
    fail_rate: float
    flaky_shas: int  # shas where it both failed and passed
    pass_on_retry: int  # failed on an attempt, passed on a later attempt of the same run
    infra_excluded: int
    last_failed_at: datetime | None

    @property
    def flaky(self) -> bool:
        return self.status is FlakeStatus.FLAKY


@dataclass(frozen=True)
class QuarantineSuggestion:
    test_id: str
    score: float
    reason: str
    expires_at: datetime


def infra_job_runs(
    outcomes: Iterable[TestOutcome], *, share: float = MASS_FAILURE_SHARE, minimum: int = MASS_FAILURE_MIN
) -> set[tuple[int | None, int, str]]:
    """Job runs where most tests failed at once (a dead database, a network outage): not the tests' fault."""
    totals: dict[tuple[int | None, int, str], int] = defaultdict(int)
    failed: dict[tuple[int | None, int, str], int] = defaultdict(int)
    for o in outcomes:
        if o.outcome is Outcome.SKIPPED:
            continue
        totals[o.job_run] += 1
        if o.outcome is Outcome.FAILED:
            failed[o.job_run] += 1
    return {key for key, n in failed.items() if n >= minimum and n > share * totals[key]}


def _decay(at: datetime, now: datetime) -> float:
    age_days = max(0.0, (now - at).total_seconds() / 86400)
    return float(0.5 ** (age_days / HALF_LIFE_DAYS))


def score_test(
    test_id: str,
    outcomes: Sequence[TestOutcome],
    *,
    now: datetime,
    default_branch: str | None = None,
    infra_runs: set[tuple[int | None, int, str]] | None = None,
    window_days: int = WINDOW_DAYS,
) -> FlakeScore:
    """Score one test from its outcomes (any order). ``infra_runs``: job runs judged infrastructure."""
    start = now - timedelta(days=window_days)
    infra_runs = infra_runs or set()
    usable: list[TestOutcome] = []
    excluded = 0
    for o in outcomes:
        if o.test_id != test_id or o.recorded_at < start or o.outcome is Outcome.SKIPPED:
            continue
        if o.infra or o.job_run in infra_runs:
            excluded += 1
            continue
        usable.append(o)

    by_sha: dict[str, list[TestOutcome]] = defaultdict(list)
    for o in usable:
        by_sha[o.head_sha].append(o)
    failures = sum(o.outcome is Outcome.FAILED for o in usable)
    passes = len(usable) - failures

    flip_weight = 0.0  # recency-weighted shas with both outcomes
    failed_weight = 0.0  # recency-weighted shas with a failure
    flaky_shas = 0
    pass_on_retry = 0
    for sha_outcomes in by_sha.values():
        failed_here = [o for o in sha_outcomes if o.outcome is Outcome.FAILED]
        passed_here = [o for o in sha_outcomes if o.outcome is Outcome.PASSED]
        if not failed_here:
            continue
        latest = max(o.recorded_at for o in sha_outcomes)
        failed_weight += _decay(latest, now)
        if passed_here:
            flaky_shas += 1
            flip_weight += _decay(latest, now)
            for f in failed_here:
                if any(p.run_id == f.run_id and p.run_attempt > f.run_attempt for p in passed_here):
                    pass_on_retry += 1
                    break

    # Confidence grows with the amount of recent evidence; the flip ratio says how often its failures
    # did not reproduce on the same code.
    confidence = 1.0 - 0.5**flip_weight
    flip_ratio = flip_weight / failed_weight if failed_weight else 0.0
    score = round(confidence * flip_ratio, 4)

    status = FlakeStatus.UNKNOWN if not usable else FlakeStatus.STABLE
    if score >= FLAKY_SCORE:
        status = FlakeStatus.FLAKY
    if default_branch is not None and _broken_on(usable, default_branch):
        status = FlakeStatus.BROKEN
    return FlakeScore(
        test_id=test_id,
        score=score,
        status=status,
        runs=len(usable),
        failures=failures,
        passes=passes,
        fail_rate=round(failures / len(usable), 4) if usable else 0.0,
        flaky_shas=flaky_shas,
        pass_on_retry=pass_on_retry,
        infra_excluded=excluded,
        last_failed_at=max((o.recorded_at for o in usable if o.outcome is Outcome.FAILED), default=None),
    )


def _broken_on(outcomes: Sequence[TestOutcome], branch: str) -> bool:
    """The latest BROKEN_STREAK shas on ``branch`` each failed and never passed."""
    per_sha: dict[str, list[TestOutcome]] = defaultdict(list)
    for o in outcomes:
        if o.branch == branch:
            per_sha[o.head_sha].append(o)
    if len(per_sha) < BROKEN_STREAK:
        return False
    latest_first = sorted(per_sha.values(), key=lambda os: max(o.recorded_at for o in os), reverse=True)
    return all(all(o.outcome is Outcome.FAILED for o in os) for os in latest_first[:BROKEN_STREAK])


def score_tests(
    outcomes: Sequence[TestOutcome],
    *,
    now: datetime,
    default_branch: str | None = None,
    window_days: int = WINDOW_DAYS,
) -> dict[str, FlakeScore]:
    """Scores for every test in ``outcomes`` (one repository's)."""
    infra = infra_job_runs(outcomes)
    by_test: dict[str, list[TestOutcome]] = defaultdict(list)
    for o in outcomes:
        by_test[o.test_id].append(o)
    return {
        test_id: score_test(
            test_id, items, now=now, default_branch=default_branch, infra_runs=infra, window_days=window_days
        )
        for test_id, items in by_test.items()
    }


def quarantine_suggestions(
    scores: Iterable[FlakeScore], *, now: datetime, days: int = QUARANTINE_DAYS
) -> list[QuarantineSuggestion]:
    out = []
    for s in scores:
        if s.status is FlakeStatus.FLAKY and s.score >= QUARANTINE_SCORE and s.flaky_shas >= QUARANTINE_FLIPS:
            reason = (
                f"failed and passed on the same commit {s.flaky_shas} times in the window "
                f"({s.pass_on_retry} passed on re-run), fail rate {s.fail_rate:.0%}"
            )
            out.append(QuarantineSuggestion(s.test_id, s.score, reason, now + timedelta(days=days)))
    out.sort(key=lambda q: (-q.score, q.test_id))
    return out
