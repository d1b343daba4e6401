"""arq job registry and worker settings. Jobs take ``ctx`` (with ``ctx["deps"]``) and are idempotent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from arq.cron import CronJob, cron

from storage import db

from ..artifacts import purge_expired_artifacts
from ..deps import Deps
from ..intake.delivery_jobs import handle_delivery, prune_deliveries, sweep_deliveries
from ..intake.installations import purge_installations
from ..intake.reconcile import reconcile_deliveries
from ..pipeline.jobs import record_passing_run, triage_job, triage_run
from ..snapshots.jobs import capture_snapshot
from .policy import (
    NIGHTLY_TIMEOUT_SECONDS,
    RECONCILE_TIMEOUT_SECONDS,
    RETENTION_TIMEOUT_SECONDS,
    SWEEP_TIMEOUT_SECONDS,
)
from .retention import purge_expired


async def heartbeat(ctx: dict[str, Any]) -> str:
    """Round trip through Redis and the worker; used by readiness probes and tests of the queue path."""
    deps: Deps = ctx["deps"]
    async with deps.pool.acquire() as conn:
        await db.ping(conn)
    return "ok"


def job_functions() -> Sequence[Callable[..., Any]]:
    return [
        heartbeat,
        handle_delivery,
        sweep_deliveries,
        reconcile_deliveries,
        purge_installations,
        prune_deliveries,
        capture_snapshot,
        triage_run,
        triage_job,
        record_passing_run,
    ]


def cron_jobs() -> Sequence[CronJob]:
    return [
        cron(sweep_deliveries, second={0, 15, 30, 45}, run_at_startup=True, timeout=SWEEP_TIMEOUT_SECONDS),
        cron(reconcile_deliveries, minute=set(range(3, 60, 10)), second=0, timeout=RECONCILE_TIMEOUT_SECONDS),
        cron(purge_installations, hour=3, minute=47, second=0, timeout=NIGHTLY_TIMEOUT_SECONDS),
        cron(prune_deliveries, hour=4, minute=7, second=0, timeout=NIGHTLY_TIMEOUT_SECONDS),
        cron(purge_expired_artifacts, hour={3}, minute={17}, unique=True, run_at_startup=False),
        cron(
            purge_expired, name="purge_expired", hour={4}, minute={27}, unique=True, timeout=RETENTION_TIMEOUT_SECONDS
        ),
    ]
