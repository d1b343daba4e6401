"""Faults with the real services: redeliveries, Redis stopped mid-burst, a worker killed mid-job."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from githubapp.backing import RedisChild, redis_server_binary
from githubapp.github import GitHubApps, RetryPolicy
from githubapp.handlers import router
from githubapp.intake import delivery_jobs
from githubapp.intake.delivery_jobs import lease_key
from githubapp.settings import Settings
from storage import deliveries
from tests.support.fake_github import FakeGitHub
from tests.support.fixtures import WEBHOOK_SECRET
from tests.support.payloads import load_payload
from tests.support.services import REPO_ROOT, free_port, wait_for_port

from .conftest import Calls, MakeDeps, asgi_client, process_env, run_worker, webhook_headers


async def test_same_delivery_posted_twice_is_processed_once(make_deps: MakeDeps, counting_handler: Calls) -> None:
    deps = await make_deps()
    delivery = str(uuid.uuid4())
    body = json.dumps({"action": "completed", "installation": {"id": 95}}).encode()
    async with asgi_client(deps) as client:
        for _ in range(2):
            response = await client.post("/webhooks/github", content=body,
                                         headers=webhook_headers("workflow_job", body, WEBHOOK_SECRET, delivery))
            assert response.status_code == 202
        await run_worker(deps)
        # GitHub redelivers it once more after it was processed (a manual redelivery, a reconcile request).
        response = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers("workflow_job", body, WEBHOOK_SECRET, delivery))
        assert response.status_code == 202
        await run_worker(deps)
    assert counting_handler.of({delivery}) == [delivery]


def restart_redis(root: Path, port: int) -> subprocess.Popen[bytes]:
    """Start redis-server again on the same port and directory (its AOF holds what was queued)."""
    process = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(root.resolve()),
         "--appendonly", "yes", "--save", "", "--logfile", str((root / "redis.log").resolve())],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    wait_for_port(port, proc=process)
    return process


@pytest.mark.slow
async def test_redis_down_during_a_burst_loses_nothing(
    make_deps: MakeDeps, counting_handler: Calls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_jobs, "SWEEP_GRACE_SECONDS", 1.0)
    redis = RedisChild(tmp_path / "redis")  # private: the machine's shared Redis is never stopped
    url = redis.start()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    restarted: subprocess.Popen[bytes] | None = None
    try:
        deps = await make_deps(redis_url=url)
        ids = [str(uuid.uuid4()) for _ in range(30)]
        async with asgi_client(deps) as client:
            for n, delivery in enumerate(ids):
                if n == 10:
                    redis.stop()
                body = json.dumps({"action": "queued", "installation": {"id": 96}, "n": n}).encode()
                response = await client.post("/webhooks/github", content=body,
                                             headers=webhook_headers("workflow_job", body, WEBHOOK_SECRET, delivery))
                assert response.status_code == 202, (n, response.text)
        rows = {r["id"]: r["status"] for r in await deps.pool.fetch(
            "SELECT id, status FROM deliveries WHERE id = ANY($1::text[])", ids)}
        assert len(rows) == 30 and set(rows.values()) == {"pending"}

        restarted = restart_redis(redis.root, port)
        for _ in range(50):  # the client reconnects on its next command
            try:
                await deps.queue.ping()
                break
            except Exception:
                await asyncio.sleep(0.1)
        # Redis kept (AOF) the 10 jobs enqueued before it stopped; the 20 later ones exist only in the DB.
        assert await deps.queue.zcard(deps.settings.queue_name) == 10
        await asyncio.sleep(1.1)  # past the sweeper's grace period
        await run_worker(deps)  # its start-up sweep enqueues what Redis never got
        assert sorted(counting_handler.of(set(ids))) == sorted(ids)  # each exactly once
        rows = {r["id"]: (r["status"], r["attempts"]) for r in await deps.pool.fetch(
            "SELECT id, status, attempts FROM deliveries WHERE id = ANY($1::text[])", ids)}
        assert set(rows.values()) == {("done", 1)}
    finally:
        if restarted is not None:
            restarted.terminate()
            restarted.wait(10)
        redis.stop()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "githubapp", "worker"], cwd=REPO_ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


async def wait_until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_worker_killed_mid_job_runs_it_again(make_deps: MakeDeps, base_settings: Settings,
                                                   tmp_path: Path) -> None:
    queue = f"intake-kill-{uuid.uuid4().hex[:8]}:queue"
    deps = await make_deps(queue_name=queue)
    env = process_env(deps.settings, queue, tmp_path / "worker-data")
    iid = 7_000_000 + uuid.uuid4().int % 1_000_000
    payload = load_payload("installation", "created")
    payload["installation"]["id"] = iid
    delivery = str(uuid.uuid4())
    await deliveries.record(deps.pool, deliveries.IncomingDelivery(
        delivery, "installation", "created", iid, None, json.dumps(payload)))

    # Hold the row so the first worker's job blocks mid-way, with its lease taken.
    conn = await deps.pool.acquire()
    blocker = conn.transaction()
    await blocker.start()
    await conn.execute("SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE", delivery)
    await deps.queue.enqueue_job("handle_delivery", delivery, _job_id=delivery)
    log = tmp_path / "workers.log"
    first = start_worker(env, log)
    second: subprocess.Popen[bytes] | None = None
    try:
        await wait_until(lambda: deps.queue.exists(lease_key(deps, delivery)), 60, "the first worker's job")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        await blocker.rollback()
        await deps.pool.release(conn)
        conn = None

        async def lease_gone() -> bool:
            return not await deps.queue.exists(lease_key(deps, delivery))

        await wait_until(lease_gone, 30, "the dead worker's lease to expire")
        second = start_worker(env, log)

        async def done() -> bool:
            return await deps.pool.fetchval("SELECT status FROM deliveries WHERE id = $1", delivery) == "done"

        await wait_until(done, 60, f"the second worker to finish the job; log:\n{log.read_text()[-3000:]}")
        assert await deps.pool.fetchval("SELECT account_login FROM installations WHERE id = $1", iid) == "Codertocat"
    finally:
        if conn is not None:
            await deps.pool.release(conn)
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


async def test_github_502_then_200_inside_a_delivery_job(make_deps: MakeDeps, github: FakeGitHub) -> None:
    deps = await make_deps(github_api_url=github.url)
    deps.services.github = GitHubApps(deps, policy=RetryPolicy(backoff_base=0.01))
    runs: list[dict[str, Any]] = []

    async def fetch_run(event: Any, gh: Any, *, deps: Any, **_: Any) -> None:
        runs.append(await gh.getitem("/repos/{owner}/{repo}/actions/runs/{run_id}",
                                     {"owner": "octo", "repo": "demo", "run_id": 5}))

    github.on("GET", "/repos/octo/demo/actions/runs/5", json={"id": 5, "conclusion": "failure"})
    github.fail_next("GET", "/repos/octo/demo/actions/runs/5", status=502)
    router.add(fetch_run, "workflow_job")
    try:
        delivery = str(uuid.uuid4())
        body = json.dumps({"action": "completed", "installation": {"id": 99}}).encode()
        async with asgi_client(deps) as client:
            response = await client.post("/webhooks/github", content=body,
                                         headers=webhook_headers("workflow_job", body, WEBHOOK_SECRET, delivery))
        assert response.status_code == 202
        await run_worker(deps)
    finally:
        router._shallow_routes["workflow_job"].remove(fetch_run)
    assert runs == [{"id": 5, "conclusion": "failure"}]
    assert [c.status for c in github.calls_to("GET", "/repos/octo/demo/actions/runs/5")] == [502, 200]
    row = await deliveries.get(deps.pool, delivery)
    assert row is not None and (row.status, row.attempts) == ("done", 1)


@pytest.mark.slow
async def test_serve_keeps_answering_while_redis_is_down(make_deps: MakeDeps, tmp_path: Path) -> None:
    """`ci-triage serve` (web + worker in one process) outlives a Redis outage and then catches up."""
    redis = RedisChild(tmp_path / "redis")
    url = redis.start()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    queue = f"intake-serve-{uuid.uuid4().hex[:8]}:queue"
    deps = await make_deps(queue_name=queue)
    web_port = free_port()
    env = {**process_env(deps.settings, queue, tmp_path / "serve-data"), "REDIS_URL": url,
           "HOST": "127.0.0.1", "PORT": str(web_port)}
    log = tmp_path / "serve.log"
    serve = subprocess.Popen([sys.executable, "-m", "githubapp", "serve"], cwd=REPO_ROOT, env=env,
                             stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    restarted: subprocess.Popen[bytes] | None = None

    async def post(delivery: str) -> int:
        body = json.dumps({"action": "completed", "installation": {"id": 94}}).encode()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{web_port}", timeout=10) as client:
            response = await client.post("/webhooks/github", content=body,
                                         headers=webhook_headers("workflow_job", body, WEBHOOK_SECRET, delivery))
        return response.status_code

    def done(delivery: str):  # type: ignore[no-untyped-def]
        async def check() -> bool:
            return await deps.pool.fetchval("SELECT status FROM deliveries WHERE id = $1", delivery) == "done"
        return check

    try:
        wait_for_port(web_port, timeout=60, proc=serve)
        before, during = str(uuid.uuid4()), str(uuid.uuid4())
        assert await post(before) == 202
        await wait_until(done(before), 30, "the first delivery")
        redis.stop()
        await asyncio.sleep(2)  # the worker notices
        assert await post(during) == 202
        await asyncio.sleep(2)
        assert serve.poll() is None, log.read_text()[-3000:]
        restarted = restart_redis(redis.root, port)
        await wait_until(done(during), 90, f"the delivery stored during the outage; log:\n{log.read_text()[-3000:]}")
    finally:
        serve.terminate()
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()
        if restarted is not None:
            restarted.terminate()
            restarted.wait(10)
        redis.stop()
