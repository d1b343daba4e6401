"""The triage metrics on /metrics (the intake feature's Prometheus endpoint and Redis-backed counters):
API traffic, ingestion, fix decisions and sign-ins as counters; patterns, fixes and recent failures and runs
as gauges read from the database at scrape time."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..deps import Deps

log = logging.getLogger("ci_triage.triage_metrics")

# name -> (kind, help), merged into githubapp.metrics.METRICS
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


GAUGE_QUERIES: tuple[tuple[str, str, str], ...] = (
    ("ci_triage_patterns", "status", "SELECT status AS label, count(*) AS n FROM patterns GROUP BY status"),
    ("ci_triage_fixes", "status", "SELECT status AS label, count(*) AS n FROM fixes GROUP BY status"),
    ("ci_triage_failures_last_24h", "kind",
     "SELECT kind AS label, count(*) AS n FROM failures WHERE seen_at > now() - interval '1 day' GROUP BY kind"),
)


async def gauges(deps: Deps) -> dict[str, float]:
    """Scrape-time gauges over every installation (operators' view); a table not deployed yet is skipped."""
    from ..metrics import series

    values: dict[str, float] = {}
    try:
        async with asyncio.timeout(2), deps.pool.acquire() as conn:
            for name, label, sql in GAUGE_QUERIES:
                table = sql.split(" FROM ", 1)[1].split()[0]
                if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
                    continue
                for row in await conn.fetch(sql):
                    values[series(name, {label: row["label"]})] = float(row["n"])
            for row in await conn.fetch(
                """SELECT source, conclusion, count(*) AS n FROM ci_runs
                    WHERE finished_at > now() - interval '1 day' GROUP BY source, conclusion"""
            ):
                labels = {"source": row["source"], "conclusion": row["conclusion"]}
                values[series("ci_triage_runs_last_24h", labels)] = float(row["n"])
    except Exception as exc:  # a scrape must answer even when the database is slow
        log.warning("triage gauges unavailable: %s", type(exc).__name__)
    return values
