"""The triage metrics on /metrics (the intake feature's Prometheus endpoint and Redis-backed counters):
API traffic, ingestion, fix decisions and sign-ins as counters; patterns, fixes and recent failures and
runs as gauges read from the database at scrape time (``githubapp.observability.metrics.live_gauges``,
``storage.gauges``)."""

from __future__ import annotations

import logging
from typing import Any

from ..deps import Deps

log = logging.getLogger("ci_triage.triage_metrics")

# name -> (kind, help), merged into githubapp.observability.metrics.METRICS
DEFINITIONS: dict[str, tuple[str, str]] = {
    "ci_triage_api_requests_total": ("counter", "REST API requests by operation and HTTP status."),
    "ci_triage_api_rate_limited_total": ("counter", "API requests refused with 429, by limit (key or address)."),
    "ci_triage_ingested_runs_total": ("counter", "Test runs ingested from other CI systems, by ci and status."),
    "ci_triage_ingested_failures_total": ("counter", "Failures of ingested test runs, by kind and match."),
    "ci_triage_fix_decisions_total": ("counter", "Fix approvals and rejections from the dashboard and API, "
                                                 "by decision, result and channel."),
    "ci_triage_dashboard_signins_total": ("counter", "Dashboard sign-ins with GitHub, by result."),
    "ci_triage_patterns": ("gauge", "Failure patterns by status."),
    "ci_triage_fixes": ("gauge", "Suggested fixes by status."),
    "ci_triage_failures_last_24h": ("gauge", "Failures recorded in the last 24 hours, by kind."),
    "ci_triage_runs_last_24h": ("gauge", "CI runs recorded in the last 24 hours, by source and conclusion."),
}


async def count(deps: Deps, name: str, **labels: object) -> None:
    """Best effort, like every metric: nothing happens when the metrics service is not installed."""
    metrics: Any = deps.services.metrics
    if metrics is not None:
        await metrics.incr(name, **labels)
