"""A production-shaped cluster on one machine: N ``ci-triage web`` and M ``ci-triage worker`` processes on one
PostgreSQL and one Redis, all started at once. Used by tests/deploy/test_scale.py and benchmarks/scale.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.services import REPO_ROOT, free_port

# Settings a test or benchmark may inherit from the outer environment but must not leak into the cluster.
_SCRUBBED = ("DATABASE_URL", "REDIS_URL", "CI_TRIAGE_QUEUE", "CI_TRIAGE_DATA_DIR", "PORT", "HOST", "PUBLIC_URL")


@dataclass
class Process:
    role: str  # "web" or "worker"
    index: int
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None

    @property
    def name(self) -> str:
        return f"{self.role}-{self.index}"

    @property
    def url(self) -> str:
        assert self.port is not None
        return f"http://127.0.0.1:{self.port}"

    def log_lines(self) -> list[dict[str, Any]]:
        """The process's JSON log records (non-JSON lines, e.g. uvicorn's banner, come back as ``msg``)."""
        records = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                record = {"msg": line}
            records.append(record if isinstance(record, dict) else {"msg": line})
        return records

    def messages(self) -> list[str]:
        return [str(record.get("msg", "")) for record in self.log_lines()]

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


@dataclass
class Cluster:
    database_url: str
    redis_url: str
    queue_name: str
    root: Path
    env: dict[str, str]
    webs: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)

    @property
    def processes(self) -> list[Process]:
        return [*self.webs, *self.workers]

    def start(self, *, webs: int, workers: int) -> None:
        """Start every process at once (they race for the migration lock, as pods of a rollout do)."""
        plan = [("web", i) for i in range(webs)] + [("worker", i) for i in range(workers)]
        for role, index in plan:
            port = free_port() if role == "web" else None
            data_dir = self.root / f"{role}-{index}"
            data_dir.mkdir(parents=True, exist_ok=True)
            env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
            env.update(self.env)
            env.update(
                DATABASE_URL=self.database_url, REDIS_URL=self.redis_url, CI_TRIAGE_QUEUE=self.queue_name,
                CI_TRIAGE_DATA_DIR=str(data_dir), HOST="127.0.0.1", PORT=str(port or 0), LOG_LEVEL="info",
            )
            log_path = self.root / f"{role}-{index}.log"
            log = open(log_path, "wb")
            popen = subprocess.Popen(
                [sys.executable, "-m", "githubapp", role], cwd=REPO_ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            log.close()
            process = Process(role, index, popen, log_path, port)
            (self.webs if role == "web" else self.workers).append(process)

    def wait_ready(self, timeout: float = 90) -> None:
        """Every web answers /health/ready with 200 and every worker has started its arq loop."""
        deadline = time.monotonic() + timeout
        pending = list(self.processes)
        while pending:
            for process in list(pending):
                if process.popen.poll() is not None:
                    raise RuntimeError(f"{process.name} exited with {process.popen.returncode}:\n{process.tail()}")
                if _is_ready(process):
                    pending.remove(process)
            if pending and time.monotonic() > deadline:
                names = ", ".join(p.name for p in pending)
                raise TimeoutError(f"not ready after {timeout} s: {names}\n{pending[0].tail()}")
            if pending:
                time.sleep(0.1)

    def stop(self, timeout: float = 60) -> dict[str, int]:
        """SIGTERM everyone (graceful), then collect exit codes; SIGKILL what does not stop in time."""
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        codes = {}
        for process in self.processes:
            try:
                codes[process.name] = process.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                codes[process.name] = process.popen.wait(10)
        return codes


def _is_ready(process: Process) -> bool:
    if process.role == "worker":
        return any(m.startswith("Starting worker for") for m in process.messages())
    try:
        return httpx.get(f"{process.url}/health/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextlib.contextmanager
def running_cluster(
    *, database_url: str, redis_url: str, queue_name: str, root: Path, webs: int = 2, workers: int = 2,
    env: Mapping[str, str] | None = None,
) -> Iterator[Cluster]:
    cluster = Cluster(database_url, redis_url, queue_name, root, dict(env or {}))
    try:
        cluster.start(webs=webs, workers=workers)
        cluster.wait_ready()
        yield cluster
    finally:
        cluster.stop()


# ---- webhook deliveries (used once the intake is present) ----

@dataclass(frozen=True)
class Delivery:
    id: str
    body: bytes
    headers: dict[str, str]


def signed_delivery(payload: dict[str, Any], event: str, secret: str) -> Delivery:
    """A webhook request as GitHub sends it: a fresh delivery id, signed with ``secret``."""
    from tests.support.payloads import sign

    delivery_id = str(uuid.uuid4())
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": event, "X-GitHub-Delivery": delivery_id, "Content-Type": "application/json",
        "X-Hub-Signature-256": sign(body, secret), "User-Agent": "GitHub-Hookshot/ci-triage-scale",
    }
    return Delivery(delivery_id, body, headers)


@dataclass(frozen=True)
class Answer:
    delivery_id: str
    web: str
    status: int
    message: str
    seconds: float


async def post_deliveries(
    cluster: Cluster, sends: list[tuple[int, Delivery]], *, concurrency: int = 32
) -> list[Answer]:
    """POST each (web index, delivery) to that web's /webhooks/github, ``concurrency`` at a time."""
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30) as client:

        async def send(web: int, delivery: Delivery) -> Answer:
            async with limit:
                started = time.perf_counter()
                response = await client.post(
                    f"{cluster.webs[web].url}/webhooks/github", content=delivery.body, headers=delivery.headers
                )
                took = time.perf_counter() - started
            return Answer(delivery.id, cluster.webs[web].name, response.status_code,
                          str(response.json().get("message", "")), took)

        return list(await asyncio.gather(*(send(web, delivery) for web, delivery in sends)))


async def wait_until_finished(database_url: str, ids: list[str], *, timeout: float = 120) -> list[dict[str, Any]]:
    """Poll the deliveries table until every id is in a final state; its rows (id, status, attempts)."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                rows = await conn.fetch(
                    "SELECT id, status, attempts, last_error FROM deliveries WHERE id = ANY($1)", ids
                )
                if len(rows) == len(ids) and all(r["status"] in ("done", "failed", "ignored") for r in rows):
                    return [dict(r) for r in rows]
                await asyncio.sleep(0.1)
    finally:
        await conn.close()
