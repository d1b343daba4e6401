"""Counts read at scrape time for the /metrics gauges (githubapp.observability.metrics names and exposes them)."""

from __future__ import annotations

from typing import Any

from .db import Conn

Gauge = tuple[str, dict[str, Any], float]  # metric name, labels, value

UNFINISHED_OR_FAILED = ("pending", "queued", "running", "failed")

# metric name, its label, and the query giving (label, n); the table of a feature not deployed yet is skipped.
_COUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("ci_triage_patterns", "status", "patterns", "SELECT status AS label, count(*) AS n FROM patterns GROUP BY status"),
    ("ci_triage_fixes", "status", "fixes", "SELECT status AS label, count(*) AS n FROM fixes GROUP BY status"),
    (
        "ci_triage_failures_last_24h",
        "kind",
        "failures",
        "SELECT kind AS label, count(*) AS n FROM failures WHERE seen_at > now() - interval '1 day' GROUP BY kind",
    ),
)


async def delivery_counts(conn: Conn) -> dict[str, int]:
    """Deliveries not yet finished, and failed ones, by status (every status present, 0 when none)."""
    rows = await conn.fetch(
        "SELECT status, count(*) AS n FROM deliveries "
        "WHERE status IN ('pending', 'queued', 'running', 'failed') GROUP BY status"
    )
    counts = dict.fromkeys(UNFINISHED_OR_FAILED, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


async def triage_counts(conn: Conn) -> list[Gauge]:
    """Patterns and fixes by status, failures of the last 24 hours by kind, runs of the last 24 hours by
    source and conclusion; over every installation (the operators' view)."""
    found: list[Gauge] = []
    for name, label, table, sql in _COUNTS:
        if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            continue
        for row in await conn.fetch(sql):
            found.append((name, {label: row["label"]}, float(row["n"])))
    for row in await conn.fetch(
        """SELECT source, conclusion, count(*) AS n FROM ci_runs
            WHERE finished_at > now() - interval '1 day' GROUP BY source, conclusion"""
    ):
        found.append(
            ("ci_triage_runs_last_24h", {"source": row["source"], "conclusion": row["conclusion"]}, float(row["n"]))
        )
    return found
