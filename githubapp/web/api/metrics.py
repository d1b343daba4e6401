"""``GET /api/metrics``: CI health of a repository or the installation (also the dashboard's overview). The
computations are pure (``analysis.ci_metrics``); the queries are in ``storage.health_metrics``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analysis import ci_metrics
from storage import health_metrics
from storage.browse import Scope

from ...deps import Deps
from . import schemas as s
from .call import JSON, REPOSITORY, Call, iso_or_none, repository_ids
from .flaky import flaky_tests
from .openapi import FieldError, Operation, Param, ValidationFailed
from .principal import Principal


async def compute_metrics(deps: Deps, scope: Scope, principal: Principal, repository_id: int | None,
                          days: int) -> JSON:
    until = datetime.now(UTC)
    since = until - timedelta(days=days)
    # The series counts calendar days (UTC): from midnight ``days - 1`` days ago, so each bucket is one date.
    series_start = until.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    pool = deps.pool
    runs = await health_metrics.run_points(pool, scope, repository_id, since)
    default_runs = await health_metrics.run_points(pool, scope, repository_id, since, default_branch_only=True)
    bucket = timedelta(days=1) if days <= 60 else timedelta(days=7)
    series_start = series_start if days <= 60 else since
    series = ci_metrics.failure_rate_series(runs, start=series_start, end=until, bucket=bucket)
    recovery = ci_metrics.time_to_recovery(default_runs)
    hits = await health_metrics.pattern_hits(pool, scope, repository_id, since)
    fixes = ci_metrics.fix_rates(await health_metrics.fix_records(pool, scope, repository_id, since))
    deploy = ci_metrics.deployment_metrics(
        await health_metrics.deployment_statuses(pool, scope, repository_id, since), start=since, end=until
    )
    flaky = (await flaky_tests(deps, scope, principal, repository_id))[:10]

    def impact(p: ci_metrics.PatternImpact) -> JSON:
        return {"patternId": p.pattern_id, "title": p.title, "occurrences": p.occurrences, "runs": p.runs,
                "minutesLost": round(p.minutes_lost, 2)}

    return {
        "repositoryId": repository_id,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "runs": len(runs),
        "failureRate": ci_metrics.failure_rate(runs),
        "failureRateSeries": [
            {"start": b.start.isoformat(), "runs": b.runs, "failed": b.failed, "rate": b.rate} for b in series
        ],
        "timeToRecovery": {
            "episodes": recovery.episodes,
            "medianSeconds": recovery.median_seconds,
            "meanSeconds": recovery.mean_seconds,
            "failingSince": iso_or_none(recovery.failing_since),
        },
        "topPatternsByOccurrences": [impact(p) for p in ci_metrics.top_patterns(hits, by="occurrences")],
        "topPatternsByTimeLost": [impact(p) for p in ci_metrics.top_patterns(hits, by="time_lost")],
        "flakyTests": flaky,
        "fixes": {
            "suggested": fixes.suggested, "decided": fixes.decided, "approved": fixes.approved,
            "rejected": fixes.rejected, "approvalRate": fixes.approval_rate, "successRate": fixes.success_rate,
        },
        "deployments": {
            "deployments": deploy.deployments, "successful": deploy.successful, "failed": deploy.failed,
            "perWeek": deploy.per_week, "changeFailureRate": deploy.change_failure_rate,
        },
    }


async def get_metrics(call: Call) -> JSON:
    repo_ids = await repository_ids(call)
    if repo_ids is not None and len(repo_ids) != 1:
        raise ValidationFailed([FieldError("repository", "no such repository")])
    return await compute_metrics(call.deps, call.scope, call.principal, repo_ids[0] if repo_ids else None,
                                 call.params["days"])


def operations() -> list[Operation]:
    return [
        Operation("GET", "/api/metrics", "getMetrics", "CI health metrics for a repository or the organisation",
                  get_metrics, "metrics", s.ref("Metrics"),
                  params=(REPOSITORY, Param("days", {"type": "integer", "minimum": 1, "maximum": 365, "default": 30},
                                            "Window in days."))),
    ]
