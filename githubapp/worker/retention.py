"""Retention: raw logs and artifacts expire after LOG_RETENTION_DAYS (30), failures after
FAILURE_RETENTION_DAYS (90). Pattern centroids and resolutions stay, so a rare failure still matches after its
logs are gone.

Other features that keep raw material (log archives, artifacts) register a hook in
``deps.services.retention_hooks``: ``async hook(deps, logs_before, failures_before) -> dict[str, int]``;
the nightly job calls each one and logs what it removed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from storage import attribution
from storage import history as q

from ..deps import Deps

log = logging.getLogger("ci_triage.retention")



def cutoffs(deps: Deps, now: datetime) -> tuple[datetime, datetime]:
    return (
        now - timedelta(days=deps.settings.log_retention_days),
        now - timedelta(days=deps.settings.failure_retention_days),
    )


async def purge_history(deps: Deps, *, now: datetime | None = None) -> dict[str, int]:
    """Expire history rows installation by installation (each statement scoped to one installation)."""
    logs_before, failures_before = cutoffs(deps, now or datetime.now(UTC))
    totals = {"failures": 0, "excerpts": 0, "test_outcomes": 0, "changes": 0}
    async with deps.pool.acquire() as conn:
        for installation_id in await q.installations_with_history(conn):
            purged = await q.purge_installation(
                conn, installation_id, excerpts_before=logs_before, failures_before=failures_before
            )
            totals["failures"] += purged.failures
            totals["excerpts"] += purged.excerpts
            totals["test_outcomes"] += purged.test_outcomes
            totals["changes"] += purged.changes
        totals["workflow_runs"] = 0
        for installation_id in await attribution.installations_with_runs(conn):
            totals["workflow_runs"] += await attribution.purge_runs(conn, installation_id, before=failures_before)
    return totals


async def purge_expired(ctx: dict[str, Any]) -> dict[str, int]:
    """Nightly arq cron job: history first, then every registered hook (logs, artifacts)."""
    deps: Deps = ctx["deps"]
    now = datetime.now(UTC)
    totals = await purge_history(deps, now=now)
    logs_before, failures_before = cutoffs(deps, now)
    for hook in deps.services.retention_hooks:
        try:
            for key, count in (await hook(deps, logs_before, failures_before)).items():
                totals[key] = totals.get(key, 0) + count
        except Exception:  # one feature's failure must not keep the others' data forever
            log.exception("retention hook %s failed", getattr(hook, "__qualname__", hook))
    log.info("retention purge done", extra={"fields": {"purged": totals}})
    return totals
