"""handle_delivery through a real arq worker: dispatch, status, retries with backoff, permanent failures."""

from __future__ import annotations

import json
import uuid
from typing import Any

import gidgethub

from githubapp.deps import Deps
from githubapp.github import RateLimited
from githubapp.intake.delivery_jobs import lease_key, requeue
from githubapp.pipeline.jobs import permanent as triage_permanent
from githubapp.worker.policy import LONGEST_TIMEOUT_SECONDS, in_progress_ttl_ms, is_permanent, next_try_in, retry_delay
from githubapp.worker.registry import cron_jobs, job_functions
from storage import deliveries
from tests.support.fixtures import WEBHOOK_SECRET

from .conftest import Calls, MakeDeps, asgi_client, run_worker, webhook_headers


async def post(deps: Deps, event: str, payload: dict[str, Any], delivery: str | None = None) -> str:
    delivery = delivery or str(uuid.uuid4())
    body = json.dumps(payload).encode()
    async with asgi_client(deps) as client:
        response = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers(event, body, WEBHOOK_SECRET, delivery))
    assert response.status_code == 202, response.text
    return delivery


def test_retry_delay_doubles_and_caps() -> None:
    assert [retry_delay(n, 10) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert retry_delay(30, 10) == 15 * 60


def test_permanent_versus_transient() -> None:
    assert is_permanent(gidgethub.BadRequest(gidgethub.http.HTTPStatus(404)))
    assert not is_permanent(gidgethub.BadRequest(gidgethub.http.HTTPStatus(429)))
    assert not is_permanent(gidgethub.GitHubBroken(gidgethub.http.HTTPStatus(502)))
    assert not is_permanent(ConnectionError())


def test_one_retry_policy_waits_out_rate_limits_and_gives_up() -> None:
    assert next_try_in(ConnectionError(), 1, max_tries=3, base=10) == 10
    assert next_try_in(RateLimited(600, 429), 1, max_tries=3, base=10) == 600
    assert next_try_in(RateLimited(1, 429), 2, max_tries=3, base=10) == 20
    assert next_try_in(ConnectionError(), 3, max_tries=3, base=10) is None
    assert next_try_in(KeyError("x"), 1, max_tries=3, base=10) is None
    forbidden = gidgethub.BadRequest(gidgethub.http.HTTPStatus(403))
    assert next_try_in(forbidden, 1, max_tries=3, base=10) == 10
    assert next_try_in(forbidden, 1, max_tries=3, base=10, permanent=triage_permanent) is None


def test_in_progress_ttl_covers_every_registered_job() -> None:
    timeouts = [getattr(job, "timeout_s", None) or 0 for job in (*job_functions(), *cron_jobs())]
    assert max(timeouts) == LONGEST_TIMEOUT_SECONDS
    assert in_progress_ttl_ms() == (LONGEST_TIMEOUT_SECONDS + 10) * 1000


async def test_delivery_dispatched_once_and_marked_done(make_deps: MakeDeps, counting_handler: Calls) -> None:
    deps = await make_deps()
    delivery = await post(deps, "workflow_job", {"action": "completed", "installation": {"id": 91},
                                                 "repository": {"id": 910, "full_name": "octo/jobs",
                                                                "owner": {"login": "octo"}}})
    await run_worker(deps)
    assert counting_handler.of({delivery}) == [delivery]
    row = await deliveries.get(deps.pool, delivery)
    assert row is not None and (row.status, row.attempts, row.last_error) == ("done", 1, None)
    # The installation and repository seen in the event are recorded for everyone else's tables.
    assert await deps.pool.fetchval("SELECT account_login FROM installations WHERE id = 91") == "octo"
    assert await deps.pool.fetchval("SELECT full_name FROM repositories WHERE id = 910") == "octo/jobs"
    # Enqueued again (a sweeper, an operator): a finished delivery is not processed twice.
    await deps.queue.delete(f"arq:result:{delivery}")
    await deps.queue.enqueue_job("handle_delivery", delivery, _job_id=delivery)
    await run_worker(deps)
    assert counting_handler.of({delivery}) == [delivery]


async def test_transient_failure_retried_then_done(make_deps: MakeDeps, counting_handler: Calls) -> None:
    deps = await make_deps(job_max_tries=4, job_retry_base_seconds=0.2)
    delivery = str(uuid.uuid4())
    counting_handler.behaviour[delivery] = [gidgethub.GitHubBroken(gidgethub.http.HTTPStatus(502))] * 2
    await post(deps, "workflow_job", {"action": "queued", "installation": {"id": 92}}, delivery)
    await run_worker(deps)
    row = await deliveries.get(deps.pool, delivery)
    assert row is not None and (row.status, row.attempts) == ("done", 3)
    assert row.last_error is not None and "GitHubBroken" in row.last_error  # the last error is kept


async def test_failures_end_as_failed_with_the_error(make_deps: MakeDeps, counting_handler: Calls) -> None:
    deps = await make_deps(job_max_tries=3, job_retry_base_seconds=0.1)
    transient, permanent = str(uuid.uuid4()), str(uuid.uuid4())
    counting_handler.behaviour[transient] = [TimeoutError("GitHub too slow")] * 5
    counting_handler.behaviour[permanent] = [gidgethub.BadRequest(gidgethub.http.HTTPStatus(404), "Not Found")]
    await post(deps, "workflow_job", {"action": "queued", "installation": {"id": 93}}, transient)
    await post(deps, "workflow_job", {"action": "queued", "installation": {"id": 93}}, permanent)
    await run_worker(deps)
    gave_up = await deliveries.get(deps.pool, transient)
    assert gave_up is not None and (gave_up.status, gave_up.attempts) == ("failed", 3)
    assert gave_up.last_error == "TimeoutError: GitHub too slow"
    refused = await deliveries.get(deps.pool, permanent)
    assert refused is not None and (refused.status, refused.attempts) == ("failed", 1)
    assert refused.last_error is not None and "Not Found" in refused.last_error


async def test_sweeper_cases(make_deps: MakeDeps) -> None:
    """What the sweeper does with unfinished deliveries, case by case (arq's keys set up by hand)."""
    deps = await make_deps(job_max_tries=2)
    queue = deps.settings.queue_name

    async def stored(attempts: int = 0, status: str = "pending") -> deliveries.Delivery:
        delivery = str(uuid.uuid4())
        await deliveries.record(deps.pool, deliveries.IncomingDelivery(delivery, "workflow_job", None, 1, None, "{}"))
        await deps.pool.execute("UPDATE deliveries SET attempts = $2, status = $3 WHERE id = $1",
                                delivery, attempts, status)
        row = await deliveries.get(deps.pool, delivery)
        assert row is not None
        return row

    # Stored while Redis was down: enqueued.
    lost = await stored()
    assert await requeue(deps, lost) == "not_enqueued"
    assert await deps.queue.zscore(queue, lost.id) is not None
    # Already queued: left alone.
    assert await requeue(deps, lost) is None
    # A live worker holds the lease: left alone.
    leased = await stored(1, "running")
    await deps.queue.set(lease_key(deps, leased.id), b"1", ex=10)
    assert await requeue(deps, leased) is None
    # Its worker died long ago (old in-progress key, no lease): back on the queue at once.
    dead = await stored(1, "running")
    await deps.queue.enqueue_job("handle_delivery", dead.id, _job_id=dead.id)
    await deps.queue.set(f"arq:in-progress:{dead.id}", b"1", px=20_000)
    assert await requeue(deps, dead) == "worker_lost"
    assert not await deps.queue.exists(f"arq:in-progress:{dead.id}")
    # Picked up a moment ago, lease not taken yet: left alone.
    fresh = await stored(0, "pending")
    await deps.queue.enqueue_job("handle_delivery", fresh.id, _job_id=fresh.id)
    await deps.queue.set(f"arq:in-progress:{fresh.id}", b"1", px=int(in_progress_ttl_ms()) - 100)
    assert await requeue(deps, fresh) is None
    # arq gave up after the last try was lost: the delivery ends failed.
    gave_up = await stored(2, "running")
    await deps.queue.set(f"arq:result:{gave_up.id}", b"x", ex=60)
    assert await requeue(deps, gave_up) is None
    row = await deliveries.get(deps.pool, gave_up.id)
    assert row is not None and (row.status, row.last_error) == ("failed", "worker lost on the last try")


async def test_prune_keeps_failed_and_recent_deliveries(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    rows = {}
    for status, days in (("done", 40), ("ignored", 40), ("failed", 40), ("pending", 40), ("done", 1)):
        delivery = str(uuid.uuid4())
        await deliveries.record(deps.pool, deliveries.IncomingDelivery(delivery, "workflow_job", None, 1, None, "{}"))
        await deps.pool.execute(
            "UPDATE deliveries SET status = $2, received_at = now() - make_interval(days => $3) WHERE id = $1",
            delivery, status, days)
        rows[delivery] = (status, days)
    assert await deliveries.prune(deps.pool, older_than_days=30, batch=1) >= 2
    left = {r["id"] for r in await deps.pool.fetch("SELECT id FROM deliveries WHERE id = ANY($1::text[])", list(rows))}
    assert {rows[i] for i in left} == {("failed", 40), ("pending", 40), ("done", 1)}
