"""Jobs of the intake: ``handle_delivery`` (dispatch one stored delivery) and ``sweep_deliveries``.

``handle_delivery`` is idempotent: a delivery already done is not run again, whoever enqueues it. While it
runs it holds a short Redis lease, refreshed every few seconds; the sweeper treats a delivery left unfinished
without a lease as lost (its worker was killed) and puts it back on the queue at once instead of waiting for
arq's in-progress key to expire (job timeout + 10 s). The sweeper also enqueues deliveries that were stored
while Redis was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.worker import Retry
from gidgethub.sansio import Event

from storage import deliveries

from ..deps import Deps
from ..github import GitHubClient, github_of
from ..handlers import router
from ..observability.logs import log_context, redact
from ..observability.metrics import metrics_of
from ..worker.policy import in_progress_ttl_ms, next_try_in
from . import installations

log = logging.getLogger("ci_triage.deliveries")

LEASE_TTL_SECONDS = 20  # long enough to ride out an event loop blocked for a while by a CPU-heavy job
LEASE_REFRESH_SECONDS = 5
SWEEP_GRACE_SECONDS = 5.0  # a delivery younger than this may still be on its way to the queue


def lease_key(deps: Deps, delivery_id: str) -> str:
    return f"{deps.settings.queue_name}:lease:{delivery_id}"


@contextlib.asynccontextmanager
async def hold_lease(deps: Deps, delivery_id: str) -> AsyncIterator[None]:
    """Tell sweepers this delivery's worker is alive, for as long as the block runs."""
    key = lease_key(deps, delivery_id)

    async def refresh() -> None:
        while True:
            with contextlib.suppress(Exception):
                await deps.queue.set(key, b"1", ex=LEASE_TTL_SECONDS)
            await asyncio.sleep(LEASE_REFRESH_SECONDS)

    task = asyncio.create_task(refresh())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await task
        with contextlib.suppress(Exception):
            await deps.queue.delete(key)


async def _remember_context(deps: Deps, payload: dict[str, Any]) -> None:
    """Bookkeeping for any event: the installation and repository exist in our tables."""
    installation = payload.get("installation")
    if not isinstance(installation, dict) or not isinstance(installation.get("id"), int):
        return
    repository = payload.get("repository")
    owner = None
    if isinstance(repository, dict):
        owner = (repository.get("owner") or {}).get("login")
    organization = payload.get("organization")
    if isinstance(organization, dict):
        owner = organization.get("login") or owner
    await installations.ensure_installation(deps.pool, installation["id"], owner)
    if isinstance(repository, dict) and "id" in repository and "full_name" in repository:
        await installations.ensure_repository(deps.pool, installation["id"], repository)


def client_for(deps: Deps, installation_id: int | None) -> GitHubClient:
    apps = github_of(deps)
    return apps.for_installation(installation_id) if installation_id is not None else apps.as_app()


async def handle_delivery(ctx: dict[str, Any], delivery_id: str) -> str:
    """Dispatch one stored delivery through the combined router; status running → done / queued / failed."""
    deps: Deps = ctx["deps"]
    job_try: int = ctx.get("job_try", 1)
    metrics = metrics_of(deps)
    async with hold_lease(deps, delivery_id):
        delivery = await deliveries.get(deps.pool, delivery_id)
        if delivery is None:
            log.warning("delivery %s not found; nothing to do", delivery_id)
            return "missing"
        with log_context(
            delivery_id=delivery_id,
            event=delivery.event,
            installation_id=delivery.installation_id,
            repository=delivery.repository,
        ):
            attempt = await deliveries.start_attempt(deps.pool, delivery_id)
            if attempt is None:
                return f"already {delivery.status}"
            started = time.perf_counter()
            try:
                payload = await deliveries.payload_of(deps.pool, delivery_id)
                event = Event(payload, event=delivery.event, delivery_id=delivery_id)
                if delivery.event not in ("installation", "installation_repositories"):
                    await _remember_context(deps, payload)
                gh = client_for(deps, delivery.installation_id)
                await router.dispatch(event, gh, deps=deps)
            except Exception as exc:
                return await _failed(deps, delivery, exc, job_try, time.perf_counter() - started)
            await deliveries.finish(deps.pool, delivery_id)
            await metrics.observe(
                "ci_triage_job_duration_seconds", time.perf_counter() - started, job="handle_delivery"
            )
            await metrics.incr("ci_triage_delivery_jobs_total", event=delivery.event, outcome="done")
            log.info("delivery processed", extra={"fields": {"attempt": attempt}})
            return "done"


async def _failed(deps: Deps, delivery: deliveries.Delivery, exc: Exception, job_try: int, took: float) -> str:
    metrics = metrics_of(deps)
    await metrics.observe("ci_triage_job_duration_seconds", took, job="handle_delivery")
    error = redact(f"{type(exc).__name__}: {exc}")  # kept in the database: no token may slip through
    delay = next_try_in(exc, job_try, max_tries=deps.settings.job_max_tries, base=deps.settings.job_retry_base_seconds)
    final = delay is None
    await deliveries.fail_attempt(deps.pool, delivery.id, error, final=final)
    await metrics.incr("ci_triage_delivery_jobs_total", event=delivery.event, outcome="failed" if final else "retry")
    if delay is None:
        log.error("delivery failed for good after %d tries: %s", job_try, error, exc_info=exc)
        return "failed"
    log.warning("delivery attempt %d failed, retrying in %.0f s: %s", job_try, delay, error)
    raise Retry(defer=delay) from exc


async def _in_progress_age_ms(deps: Deps, job_id: str) -> float | None:
    """How long ago a worker picked the job up, from the remaining lifetime of arq's in-progress key."""
    ttl: int | None = await deps.queue.pttl(in_progress_key_prefix + job_id)
    if ttl is None or ttl < 0:
        return None
    return in_progress_ttl_ms() - ttl


async def requeue(deps: Deps, delivery: deliveries.Delivery) -> str | None:
    """Put an unfinished delivery back on the queue if nobody is working on it; the reason, or None."""
    job_id = delivery.id
    if await deps.queue.exists(lease_key(deps, job_id)):
        return None  # a live worker holds it
    age = await _in_progress_age_ms(deps, job_id)
    reason = "not_enqueued"
    if age is not None:
        if age < SWEEP_GRACE_SECONDS * 1000:
            return None  # just picked up; its lease is about to appear
        await deps.queue.delete(in_progress_key_prefix + job_id)  # its worker died mid-job
        reason = "worker_lost"
    if await deps.queue.exists(job_key_prefix + job_id):
        # Still on the queue (or deferred for a retry): make sure it is in the sorted set, keep its time.
        await deps.queue.zadd(deps.settings.queue_name, {job_id: time.time() * 1000}, nx=True)
        return reason if reason == "worker_lost" else None
    if await deps.queue.exists(result_key_prefix + job_id):
        # arq finished the job without the row being updated (gave up after its last try was lost).
        await deps.queue.delete(result_key_prefix + job_id)
        if delivery.attempts >= deps.settings.job_max_tries:
            await deliveries.fail_attempt(deps.pool, job_id, "worker lost on the last try", final=True)
            return None
    await deps.queue.enqueue_job("handle_delivery", job_id, _job_id=job_id)
    return reason


async def sweep_deliveries(ctx: dict[str, Any]) -> int:
    """Enqueue deliveries left pending (Redis was down) or lost with a dead worker. Returns how many."""
    deps: Deps = ctx["deps"]
    requeued = 0
    for delivery in await deliveries.unfinished(deps.pool, older_than_seconds=SWEEP_GRACE_SECONDS):
        with log_context(delivery_id=delivery.id):
            try:
                reason = await requeue(deps, delivery)
            except Exception as exc:  # Redis still down: try again next sweep
                log.warning("sweep stopped: %s", type(exc).__name__)
                break
            if reason is not None:
                requeued += 1
                log.info("delivery put back on the queue (%s)", reason)
                await metrics_of(deps).incr("ci_triage_sweeper_requeued_total", reason=reason)
    return requeued


async def retry_delivery(deps: Deps, delivery_id: str) -> deliveries.Delivery | None:
    """Run a delivery again on operator request (``ci-triage deliveries retry ID``)."""
    delivery = await deliveries.reset_for_retry(deps.pool, delivery_id)
    if delivery is None:
        return None
    # A finished job keeps its result (and so its id) for a while: clear it so the id can be enqueued again.
    await deps.queue.delete(result_key_prefix + delivery_id, in_progress_key_prefix + delivery_id)
    await deps.queue.enqueue_job("handle_delivery", delivery_id, _job_id=delivery_id)
    return delivery


async def prune_deliveries(ctx: dict[str, Any]) -> int:
    """Cron job: forget finished deliveries after LOG_RETENTION_DAYS (their payloads are the bulk of the table).
    Reconcile looks back 48 hours and GitHub redelivers only within 3 days, so dedup is not affected."""
    deps: Deps = ctx["deps"]
    pruned = await deliveries.prune(deps.pool, older_than_days=deps.settings.log_retention_days)
    if pruned:
        log.info("pruned %d finished deliveries older than %d days", pruned, deps.settings.log_retention_days)
    return pruned
