"""`ci-triage serve` on embedded defaults: ready, graceful SIGTERM, and data kept across a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from githubapp.worker.heartbeat import heartbeat_path, staleness
from storage.embedded_pg import EmbeddedPostgres
from tests.support.services import REPO_ROOT, free_port


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(CI_TRIAGE_DATA_DIR=str(data_dir), PORT=str(port), LOG_LEVEL="warning")
    return subprocess.Popen(
        [sys.executable, "-m", "githubapp", "serve"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "exited"
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1)
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError("not ready")


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(60)


async def test_serve_is_ready_stops_cleanly_and_keeps_data(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    proc = _start(data_dir, port)
    try:
        body = _wait_ready(port, proc)
        assert body["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}
        assert staleness(heartbeat_path(data_dir)) is None  # serve runs a worker: its heartbeat is fresh
        pg = EmbeddedPostgres(data_dir / "postgres")
        conn = await asyncpg.connect(pg.url("ci_triage"))
        await conn.execute("INSERT INTO installations (id, account_login) VALUES (1, 'octo-org')")
        await conn.close()
    finally:
        assert _stop(proc) == 0
    assert not EmbeddedPostgres(data_dir / "postgres").running()  # the process stopped what it started
    assert not (data_dir / "redis" / "port").exists()
    assert staleness(heartbeat_path(data_dir)) is not None  # a stopped worker is not alive

    proc = _start(data_dir, port)
    try:
        _wait_ready(port, proc)
        conn = await asyncpg.connect(EmbeddedPostgres(data_dir / "postgres").url("ci_triage"))
        assert await conn.fetchval("SELECT account_login FROM installations WHERE id = 1") == "octo-org"
        await conn.close()
    finally:
        assert _stop(proc) == 0
