"""Small builders for report inputs used across the pipeline tests."""

from __future__ import annotations

from datetime import UTC, datetime

from analysis.types import Failure, FailureKind
from githubapp.report.model import (
    Evidence,
    History,
    Resolution,
    RunInfo,
    Sighting,
    TriagedFailure,
    TriageReport,
    Verdict,
)

RUN = RunInfo(
    repo="octo-org/hello-world",
    run_id=30433642,
    attempt=1,
    workflow_name="CI",
    head_sha="acb5820ced9479c074f688cc328bf03f341a511d",
    html_url="https://github.com/octo-org/hello-world/actions/runs/30433642",
    head_branch="feature",
    run_number=562,
    pr_numbers=(2,),
)


def failure(
    n: int = 1,
    *,
    file: str | None = None,
    line: int | None = 12,
    message: str | None = None,
    fingerprint: str | None = None,
    test_id: str | None = None,
    test_file: str | None = None,
    test_line: int | None = None,
) -> Failure:
    return Failure(
        kind=FailureKind.TEST,
        tool="pytest",
        message=message if message is not None else f"AssertionError: assert {n} == {n + 1}",
        test_id=test_id if test_id is not None else f"tests/test_app.py::test_case_{n}",
        file=file if file is not None else "/home/runner/work/hello-world/hello-world/tests/test_app.py",
        line=line,
        fingerprint=fingerprint if fingerprint is not None else f"fp{n}",
        test_file=test_file,
        test_line=test_line,
    )


def history(occurrences: int = 2, *, flake_rate: float | None = None, resolution: Resolution | None = None) -> History:
    return History(
        pattern_id="p1",
        similarity=0.93,
        occurrences=occurrences,
        first_seen=datetime(2026, 1, 2, tzinfo=UTC),
        last_seen=datetime(2026, 2, 3, tzinfo=UTC),
        resolution=resolution,
        flake_rate=flake_rate,
        evidence=Evidence("signature", 1.0, "AssertionError: assert <N> == <N>", (EARLIER,)),
    )


# An earlier run on another PR: the evidence behind the factories' "seen before".
EARLIER = Sighting(
    run_id=30433001,
    seen_at=datetime(2026, 2, 3, tzinfo=UTC),
    run_number=540,
    run_url="https://github.com/octo-org/hello-world/actions/runs/30433001",
    pr_number=1,
    pr_url="https://github.com/octo-org/hello-world/pull/1",
)


def triaged(
    n: int = 1,
    verdict: Verdict = Verdict.NEW,
    *,
    job: str = "test (3.11)",
    excerpt: tuple[str, ...] = (),
    **kwargs: object,
) -> TriagedFailure:
    hist = history() if verdict is not Verdict.NEW else None
    if verdict is Verdict.FLAKY:
        hist = history(5, flake_rate=0.25)
    quarantined = bool(kwargs.pop("quarantined", False))
    return TriagedFailure(
        failure(n, **kwargs),
        verdict,
        hist,
        excerpt=excerpt,
        job_name=job,  # type: ignore[arg-type]
        quarantined=quarantined,
    )


def report(*items: TriagedFailure, **kwargs: object) -> TriageReport:
    return TriageReport(run=RUN, failures=items, **kwargs)  # type: ignore[arg-type]
