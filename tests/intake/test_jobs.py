"""handle_delivery through a real arq worker: dispatch, status, retries with backoff, permanent failures."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import gidgethub
import pytest

from githubapp import deliveries
from githubapp.delivery_jobs import is_permanent, retry_delay
from githubapp.deps import Deps
from githubapp.handlers import router
from githubapp.worker import build_worker
from tests.support.fixtures import WEBHOOK_SECRET

from .conftest import MakeDeps, asgi_client, webhook_headers


async def run_worker(deps: Deps) -> None:
    """Run every job on the deps' queue (retries included) until it is empty."""
    worker = build_worker(deps, burst=True)
    await worker.main()  # the worker shares deps.queue: not closed here


class Calls(list[tuple[str, Any]]):
    """(delivery id, GitHub client) per call; ``behaviour[delivery id]`` lists exceptions to raise first."""

    def __init__(self) -> None:
        super().__init__()
        self.behaviour: dict[str, list[BaseException]] = {}


@pytest.fixture
def counting_handler() -> Iterator[Calls]:
    """A handler for workflow_job added to the combined router for one test."""
    calls = Calls()
    behaviour = calls.behaviour

    async def handler(event: Any, gh: Any, *, deps: Deps, **_: Any) -> None:
        calls.append((event.delivery_id, gh))
        failures = behaviour.get(event.delivery_id)
        if failures:
            behaviour[event.delivery_id] = failures[1:]
            raise failures[0]

    router.add(handler, "workflow_job")
    yield calls
    router._shallow_routes["workflow_job"].remove(handler)


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


async def test_delivery_dispatched_once_and_marked_done(make_deps: MakeDeps, counting_handler: Calls) -> None:
    deps = await make_deps()
    delivery = await post(deps, "workflow_job", {"action": "completed", "installation": {"id": 91},
                                                 "repository": {"id": 910, "full_name": "octo/jobs",
                                                                "owner": {"login": "octo"}}})
    await run_worker(deps)
    assert [call[0] for call in counting_handler] == [delivery]
    row = await deliveries.get(deps.pool, delivery)
    assert row is not None and (row.status, row.attempts, row.last_error) == ("done", 1, None)
    # The installation and repository seen in the event are recorded for everyone else's tables.
    assert await deps.pool.fetchval("SELECT account_login FROM installations WHERE id = 91") == "octo"
    assert await deps.pool.fetchval("SELECT full_name FROM repositories WHERE id = 910") == "octo/jobs"
    # Enqueued again (a sweeper, an operator): a finished delivery is not processed twice.
    await deps.queue.delete(f"arq:result:{delivery}")
    await deps.queue.enqueue_job("handle_delivery", delivery, _job_id=delivery)
    await run_worker(deps)
    assert len(counting_handler) == 1


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
