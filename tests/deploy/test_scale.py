"""Scale-out on one machine: 2 ``ci-triage web`` + 2 ``ci-triage worker`` processes on one PostgreSQL and one
Redis, started at the same moment against an empty database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis, create_pool
from arq.jobs import Job, JobStatus

from githubapp.backing import RedisChild
from githubapp.runtime import redis_settings
from storage import db
from storage.embedded_pg import EmbeddedPostgres
from tests.support.fake_github import FakeGitHub
from tests.support.fixtures import WEBHOOK_SECRET
from tests.support.payloads import load_payload
from tests.support.services import unique_name

from .cluster import Cluster, Delivery, post_deliveries, running_cluster, signed_delivery, wait_until_finished

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def scale_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server for this module only: nothing else enqueues on it."""
    child = RedisChild(tmp_path_factory.mktemp("scale-redis"))
    url = child.start()
    yield url
    child.stop()


@pytest.fixture(scope="module")
async def empty_database(pg_server: EmbeddedPostgres) -> str:
    """A database with no tables at all: the processes must migrate it themselves."""
    name = unique_name("scale")
    await db.create_database(pg_server.url(), name)
    return pg_server.url(name)


@pytest.fixture(scope="module")
def cluster(
    empty_database: str, scale_redis: str, private_key_pem: str, fake_github: FakeGitHub,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    env = {
        "GITHUB_APP_ID": "4242", "GITHUB_PRIVATE_KEY": private_key_pem, "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # Everything GitHub-bound (handlers, reconcile cron) goes to the suite's fake, never the internet.
        "GITHUB_API_URL": fake_github.url, "GITHUB_URL": fake_github.url,
    }
    with running_cluster(
        database_url=empty_database, redis_url=scale_redis, queue_name=f"{unique_name('scale')}:queue",
        root=tmp_path_factory.mktemp("cluster"), webs=2, workers=2, env=env,
    ) as running:
        yield running


@pytest.fixture
async def queue(cluster: Cluster) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(redis_settings(cluster.redis_url), default_queue_name=cluster.queue_name)
    yield pool
    await pool.aclose()


async def test_all_start_together_and_migrations_run_once(cluster: Cluster) -> None:
    # Every process is up: both webs ready (database, Redis, no pending migration), both workers polling.
    for web in cluster.webs:
        body = httpx.get(f"{web.url}/health/ready", timeout=5).json()
        assert body["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}, web.name
    assert all(process.popen.poll() is None for process in cluster.processes)

    conn = await asyncpg.connect(cluster.database_url)
    try:
        rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
    finally:
        await conn.close()
    expected = db.load_migrations()
    assert [(r["version"], r["name"], r["checksum"]) for r in rows] == [
        (m.version, m.name, m.checksum) for m in expected
    ]
    # Exactly one of the four processes applied them; the other three found the schema up to date.
    appliers = [p.name for p in cluster.processes if any(m.startswith("applied migrations:") for m in p.messages())]
    assert len(appliers) == 1, appliers


async def test_a_burst_of_jobs_runs_each_once_across_both_workers(cluster: Cluster, queue: ArqRedis) -> None:
    """The queue path of the cluster: distinct job ids run once each, a duplicate id is refused."""
    ids = [f"burst-{uuid.uuid4().hex[:12]}" for _ in range(60)]
    jobs = [await queue.enqueue_job("heartbeat", _job_id=job_id) for job_id in ids]
    duplicates = [await queue.enqueue_job("heartbeat", _job_id=job_id) for job_id in ids[:20]]
    assert all(job is not None for job in jobs)
    assert duplicates == [None] * 20  # arq refuses a job id that is queued, running or has a result

    results = await asyncio.gather(*(job.result(timeout=60, poll_delay=0.1) for job in jobs if job))
    assert results == ["ok"] * len(ids)
    for job_id in ids:
        assert await Job(job_id, queue, _queue_name=cluster.queue_name).status() == JobStatus.complete

    started: dict[str, list[str]] = {}
    for worker in cluster.workers:
        for message in worker.messages():
            if "→" in message and ":heartbeat(" in message:
                job_id = message.split("→", 1)[1].strip().split(":", 1)[0]
                started.setdefault(job_id, []).append(worker.name)
    assert {job_id: len(names) for job_id, names in started.items() if job_id in ids} == {i: 1 for i in ids}


# ---- webhook deliveries through both webs and both workers ----

BURST = 80
DUPLICATES = 40


def workflow_run_delivery(index: int) -> Delivery:
    payload = load_payload("workflow_run", "completed")
    payload["installation"] = {"id": 4242, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="}
    payload["workflow_run"]["id"] = 7_000_000 + index
    return signed_delivery(payload, "workflow_run", WEBHOOK_SECRET)


async def test_a_burst_of_deliveries_is_processed_exactly_once(cluster: Cluster) -> None:
    """Deliveries spread over both webs, each duplicate sent to the other web at the same moment (GitHub
    redelivering while the first is in flight): one row and one processing per delivery id."""
    pytest.importorskip("githubapp.webhooks", reason="the webhook intake is not on this branch yet")
    deliveries = [workflow_run_delivery(i) for i in range(BURST)]
    sends = [(i % 2, d) for i, d in enumerate(deliveries)]
    sends += [((i + 1) % 2, d) for i, d in enumerate(deliveries[:DUPLICATES])]
    answers = await post_deliveries(cluster, sends)
    assert {a.status for a in answers} == {202}
    accepted: dict[str, int] = {}
    for answer in answers:
        accepted[answer.delivery_id] = accepted.get(answer.delivery_id, 0) + (answer.message == "accepted")
    assert set(accepted.values()) == {1}, "each delivery id is accepted once; its duplicate is recognised"
    assert {a.web for a in answers} == {w.name for w in cluster.webs}

    ids = [d.id for d in deliveries]
    rows = await wait_until_finished(cluster.database_url, ids)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert {r["status"] for r in rows} == {"done"}, [r["last_error"] for r in rows if r["status"] != "done"]
    assert {r["attempts"] for r in rows} == {1}, "a delivery was started more than once"

    processed: dict[str, int] = {}
    for worker in cluster.workers:
        for record in worker.log_lines():
            if record.get("msg") == "delivery processed" and record.get("delivery_id") in accepted:
                processed[record["delivery_id"]] = processed.get(record["delivery_id"], 0) + 1
    assert processed == {i: 1 for i in ids}
