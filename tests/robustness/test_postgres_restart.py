"""PostgreSQL stopped and started again under a real web process and worker (a private server, never the
session's): the web answers 503 promptly while it is down, /health/ready says so, and afterwards the pools
recover and every delivery answered 202 is processed exactly once."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from githubapp.settings import Settings
from storage import db
from storage.embedded_pg import EmbeddedPostgres
from tests.intake.conftest import process_env, webhook_headers
from tests.support.fixtures import WEBHOOK_SECRET
from tests.support.payloads import load_payload
from tests.support.services import REPO_ROOT, free_port, wait_for_port


def _start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "githubapp", command], cwd=REPO_ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.slow
async def test_postgres_restart_under_web_and_worker(base_settings: Settings, tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg")
    server_url = pg.start()
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    try:
        await db.create_database(server_url, "restart")
        url = pg.url("restart")
        await db.migrate(url)
        queue = f"pg-restart-{uuid.uuid4().hex[:8]}:queue"
        settings = replace(base_settings, database_url=url)
        web_port = free_port()
        env = {**process_env(settings, queue, tmp_path / "data"), "HOST": "127.0.0.1", "PORT": str(web_port)}
        log = tmp_path / "processes.log"
        web, worker = _start("web", env, log), _start("worker", env, log)
        wait_for_port(web_port, timeout=60, proc=web)

        accepted: list[str] = []
        refused: list[str] = []

        async def post(client: httpx.AsyncClient, n: int) -> int:
            payload = load_payload("installation", "created")
            payload["installation"]["id"] = 8_000_000 + n
            body = json.dumps(payload).encode()
            delivery = str(uuid.uuid4())
            response = await client.post("/webhooks/github", content=body,
                                         headers=webhook_headers("installation", body, WEBHOOK_SECRET, delivery))
            assert response.status_code in (202, 503), response.text
            assert "Traceback" not in response.text
            (accepted if response.status_code == 202 else refused).append(delivery)
            return response.status_code

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{web_port}", timeout=20) as client:
            assert {await post(client, n) for n in range(5)} == {202}
            assert (await client.get("/health/ready")).status_code == 200

            pg.stop(mode="fast")
            started = time.monotonic()
            statuses = [await post(client, n) for n in range(5, 10)]
            assert statuses == [503] * 5
            assert time.monotonic() - started < 15, "the web hung instead of answering 503"
            ready = await client.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"].startswith("error")
            assert ready.json()["checks"]["redis"] == "ok"
            assert worker.poll() is None and web.poll() is None, log.read_text()[-3000:]

            pg.start()
            deadline = time.monotonic() + 30
            while (await client.get("/health/ready")).status_code != 200:
                assert time.monotonic() < deadline, "the pool never recovered"
                await asyncio.sleep(0.3)
            assert {await post(client, n) for n in range(10, 15)} == {202}

        pool = await db.create_pool(url, max_size=2)
        try:
            deadline = time.monotonic() + 90
            while True:
                rows = await pool.fetch("SELECT id, status, attempts FROM deliveries")
                by_id = {r["id"]: (r["status"], r["attempts"]) for r in rows}
                if all(by_id.get(d, ("", 0))[0] == "done" for d in accepted):
                    break
                assert time.monotonic() < deadline, f"not all done: {by_id}\n{log.read_text()[-3000:]}"
                await asyncio.sleep(0.5)
            assert len(accepted) == 10
            assert set(by_id) == set(accepted)  # the refused ones were not stored (GitHub redelivers them)
            assert {by_id[d][0] for d in accepted} == {"done"}
            # A job running when the database stopped (or the first to meet a pooled connection the restart
            # broke) fails that attempt and succeeds on its retry: one effect each, counted below.
            assert all(by_id[d][1] <= 2 for d in accepted), by_id
            installed = await pool.fetchval("SELECT count(*) FROM installations")
            assert installed == 10
        finally:
            await pool.close()
    finally:
        for process in (web, worker):
            if process is not None:
                _stop(process)
        pg.stop(mode="immediate")
