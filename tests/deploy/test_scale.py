"""Scale-out on one machine: 2 ``ci-triage web`` + 2 ``ci-triage worker`` processes on one PostgreSQL and one
Redis, started at the same moment against an empty database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

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


def answer_background_calls(github: FakeGitHub, private_key_pem: str) -> None:
    """What the workers may ask GitHub besides the test's own calls: the reconcile cron's delivery list, and
    the repository config a run's handler reads (none: defaults)."""
    github.verify_app_jwt(private_key_pem, 4242)
    github.paginate("/app/hook/deliveries", [])
    github.on("GET", "/repos/{owner}/{repo}/contents/{path}", json={"message": "Not Found"}, status=404)


async def quiesce(github: FakeGitHub, *, quiet: float = 1.0, timeout: float = 60) -> None:
    """Wait until the fake GitHub has had no request for ``quiet`` seconds (jobs started by a test finish
    inside it, not in the next test)."""
    async with asyncio.timeout(timeout):
        seen = -1
        while seen != len(github.calls):
            seen = len(github.calls)
            await asyncio.sleep(quiet)


async def test_a_burst_of_deliveries_is_processed_exactly_once(
    cluster: Cluster, github: FakeGitHub, private_key_pem: str
) -> None:
    """Deliveries spread over both webs, each duplicate sent to the other web right behind it (GitHub
    redelivering while the first is in flight): one row and one processing per delivery id."""
    answer_background_calls(github, private_key_pem)
    deliveries = [workflow_run_delivery(i) for i in range(BURST)]
    sends = []
    for i, delivery in enumerate(deliveries):
        sends.append((i % 2, delivery))
        if i < DUPLICATES:  # the redelivery right behind it, to the other web
            sends.append(((i + 1) % 2, delivery))
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
    await quiesce(github)


# ---- the pipeline behind them: no duplicate check runs or comments ----

RUNS = 16


async def test_failed_runs_on_one_pr_get_one_check_run_each_and_one_comment(
    cluster: Cluster, github: FakeGitHub, private_key_pem: str, tmp_path: Path
) -> None:
    """Failed runs of one PR, each delivered twice (once to each web, at the same moment) and triaged
    concurrently by both workers: one "CI Triage" check run per commit, one sticky comment on the PR, one
    history pattern that counted every run once."""
    from storage import reports
    from tests.pipeline.gha import job_log, pytest_failure_output
    from tests.pipeline.test_end_to_end import OWNER, PR, REPO, run_payload, serve_repository, serve_run

    installation = 990_001
    answer_background_calls(github, private_key_pem)
    serve_repository(github)
    log = job_log(pytest_failure_output(str(tmp_path / "project")))
    runs = {8_800_000 + i: f"{i + 1:040x}" for i in range(RUNS)}
    deliveries = []
    for run_id, sha in runs.items():
        serve_run(github, run_id, log)
        deliveries.append(signed_delivery(run_payload(installation, run_id, sha), "workflow_run", WEBHOOK_SECRET))
    sends = [(web, d) for i, d in enumerate(deliveries) for web in (i % 2, (i + 1) % 2)]
    answers = await post_deliveries(cluster, sends)
    assert {a.status for a in answers} == {202}
    rows = await wait_until_finished(cluster.database_url, [d.id for d in deliveries])
    assert {(r["status"], r["attempts"]) for r in rows} == {("done", 1)}

    pool = await db.create_pool(cluster.database_url, min_size=1, max_size=2)  # with the app's JSON codecs
    try:
        async with asyncio.timeout(180), pool.acquire() as conn:
            while True:
                found = [await reports.get(conn, installation, run_id) for run_id in runs]
                if all(row is not None and row.status == "failing" for row in found):
                    break
                await asyncio.sleep(0.2)
            await quiesce(github)
            patterns = await conn.fetch("SELECT occurrences FROM patterns WHERE installation_id = $1", installation)
    finally:
        await pool.close()

    for sha in runs.values():
        checks = [c for c in github.check_runs_for(OWNER, REPO, sha) if c["name"] == "CI Triage"]
        assert len(checks) == 1, f"{len(checks)} check runs for {sha}"
        assert checks[0]["status"] == "completed" and checks[0]["conclusion"] == "failure"
    assert len(github.calls_to("POST", "/repos/{owner}/{repo}/check-runs")) == RUNS
    comments = github.issue_comments(OWNER, REPO, PR)
    assert len(comments) == 1, "one sticky comment per PR, whichever worker got there first"
    assert len(github.calls_to("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")) == 1
    assert [p["occurrences"] for p in patterns] == [RUNS]
