"""Webhook intake under load, beside a bare starlette endpoint that only answers 202.

Both run as uvicorn child processes with the same server settings (``githubapp.processes._uvicorn_config``),
one process each, on loopback. ci-triage runs ``python -m githubapp web`` on a private embedded PostgreSQL and a
private redis-server (AOF on), so every request is verified, stored and enqueued for real. The load is signed
~10 KB ``workflow_run`` deliveries, each with its own X-GitHub-Delivery, sent by a small keep-alive HTTP/1.1
client on raw asyncio streams (so the client costs as little CPU as possible on this 2-core machine).

Measured for both, side by side in one run:
* maximum throughput: a closed loop of ``--concurrency`` connections for ``--seconds``;
* latency at a fixed offered rate (``--rate``, default 200 deliveries/s) in an open loop: requests are sent
  on schedule whatever the server does, and latency counts from the scheduled time (no coordinated omission).
Each phase is cut into ``--rounds`` slices that alternate between the servers (ci-triage, bare, ci-triage,
bare...), so a burst of other work on this shared machine weighs on both rather than on whichever ran then.

``python -m benchmarks webhook [--seconds 6] [--rate 200] [--concurrency 32] [--rounds 3] [--async-commit]``
``--async-commit`` adds a third server: ci-triage on a database with ``synchronous_commit = off``, to show what
the disk's fsync costs (not the default: an acknowledged delivery could be lost if PostgreSQL crashed).
Goal (issue 22): p99 < 20 ms at 200 deliveries/s and at least 30 % of the bare endpoint's maximum throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# octokit's example, vendored with the test data (tests/data/github/README.md)
EXAMPLE = ROOT / "tests/data/github/webhooks/api.github.com/workflow_run/completed.with-pull-requests.payload.json"
SECRET = "benchmark-webhook-secret"
ASYNC = "ci-triage async commit"  # same, on a database with synchronous_commit = off (--async-commit)
GOAL_P99_MS = 20.0
GOAL_THROUGHPUT_RATIO = 0.30
TARGET_BYTES = 10 * 1024


def payload() -> bytes:
    """A real workflow_run.completed delivery trimmed to about 10 KB (compact JSON, as GitHub sends)."""
    data = json.loads(EXAMPLE.read_text())
    data["installation"] = {"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
    run = data["workflow_run"]
    for key in ("head_repository", "triggering_actor", "repository", "actor"):
        if len(json.dumps(data, separators=(",", ":"))) <= TARGET_BYTES:
            break
        run.pop(key, None)
    return json.dumps(data, separators=(",", ":")).encode()


# -- the two servers ---------------------------------------------------------------------------------------

def _bare_app():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def receive(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"message": "accepted"}, status_code=202)

    return Starlette(routes=[Route("/webhooks/github", receive, methods=["POST"])])


def serve_bare(port: int) -> None:
    """Child process: the bare endpoint under exactly ci-triage's uvicorn configuration."""
    import uvicorn

    from githubapp.processes import _uvicorn_config
    from githubapp.settings import Settings

    config = _uvicorn_config(_bare_app(), Settings(port=port))
    uvicorn.Server(config).run()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listening on port {port}")


# -- a minimal keep-alive HTTP/1.1 client --------------------------------------------------------------------

class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def post(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


def request_bytes(port: int, body: bytes, signature: str) -> bytes:
    head = (
        f"POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: GitHub-Hookshot/bench\r\n"
        f"Content-Type: application/json\r\nX-GitHub-Event: workflow_run\r\n"
        f"X-GitHub-Delivery: {uuid.uuid4()}\r\nX-Hub-Signature-256: {signature}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class Result:
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def merged(self, other: Result) -> Result:
        return Result(self.seconds + other.seconds, self.latencies_ms + other.latencies_ms, self.errors + other.errors)

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def closed_loop(port: int, body: bytes, signature: str, *, concurrency: int, seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def user() -> None:
        nonlocal errors
        conn = await Connection.open(port)
        try:
            while time.perf_counter() < stop:
                request = request_bytes(port, body, signature)
                started = time.perf_counter()
                status = await conn.post(request)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += status not in (200, 202)
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    return Result(time.perf_counter() - started, latencies, errors)


async def open_loop(port: int, body: bytes, signature: str, *, rate: float, seconds: float) -> Result:
    """Send at ``rate``/s on schedule; a request waits for no one (new connections when all are busy).
    A few connections are opened beforehand so connection set-up is not what is measured."""
    idle: list[Connection] = [await Connection.open(port) for _ in range(16)]
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.05

    async def send(scheduled: float) -> None:
        nonlocal errors
        request = request_bytes(port, body, signature)
        conn = idle.pop() if idle else await Connection.open(port)
        try:
            status = await conn.post(request)
        except (asyncio.IncompleteReadError, ConnectionError):  # the server closed an idle keep-alive connection
            conn.close()
            conn = await Connection.open(port)
            status = await conn.post(request)
        latencies.append((time.perf_counter() - scheduled) * 1000)
        errors += status not in (200, 202)
        idle.append(conn)

    tasks = []
    for i in range(total):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(scheduled)))
    await asyncio.gather(*tasks)
    for conn in idle:
        conn.close()
    return Result(time.perf_counter() - t0, latencies, errors)


# -- orchestration ---------------------------------------------------------------------------------------------

async def prepare_backing(root: Path, *, async_commit_database: bool = False) -> tuple[str, str, list[object]]:
    """A private embedded PostgreSQL (migrated) and redis-server under ``root``; with
    ``async_commit_database`` also a database ``bench_async`` with ``synchronous_commit = off``."""
    from githubapp.backing import RedisChild
    from storage import db
    from storage.embedded_pg import EmbeddedPostgres

    pg = EmbeddedPostgres(root / "postgres")
    admin = await asyncio.to_thread(pg.start)
    await db.create_database(admin, "bench")
    database_url = pg.url("bench")
    await db.migrate(database_url)
    if async_commit_database:
        await db.create_database(admin, "bench_async")
        conn = await db.connect_once(admin)
        try:
            await conn.execute("ALTER DATABASE bench_async SET synchronous_commit = off")
        finally:
            await conn.close()
        await db.migrate(pg.url("bench_async"))
    redis = RedisChild(root / "redis")
    redis_url = await asyncio.to_thread(redis.start)
    return database_url, redis_url, [redis, pg]


def private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def start_server(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def row(name: str, result: Result) -> str:
    return (f"  {name:<22} {result.throughput:8.0f}/s   p50 {result.pct(0.50):7.2f} ms   "
            f"p99 {result.pct(0.99):7.2f} ms   max {max(result.latencies_ms, default=0):7.1f} ms   "
            f"errors {result.errors}")


async def run(seconds: float, rate: float, concurrency: int, *, rounds: int = 3, async_commit: bool = False) -> int:
    body = payload()
    from githubapp.intake.signatures import sign
    from storage.embedded_pg import free_port

    signature = sign(body, SECRET)
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        root = Path(tmp)
        database_url, redis_url, stops = await prepare_backing(root, async_commit_database=async_commit)
        ports = {"ci-triage": free_port(), "bare starlette": free_port()}
        if async_commit:
            ports[ASYNC] = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CI_TRIAGE_DATA_DIR": str(root / "data"),
               "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CI_TRIAGE_QUEUE": "bench:queue",
               "GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": private_key(), "GITHUB_WEBHOOK_SECRET": SECRET,
               "HOST": "127.0.0.1", "LOG_LEVEL": "warning"}
        servers = {
            "ci-triage": start_server(["-m", "githubapp", "web"], {**env, "PORT": str(ports["ci-triage"])},
                                      root / "web.log"),
            "bare starlette": start_server(
                ["-c", f"from benchmarks.webhook import serve_bare; serve_bare({ports['bare starlette']})"],
                env, root / "bare.log"),
        }
        if async_commit:
            async_url = database_url.rsplit("/", 1)[0] + "/bench_async"
            servers[ASYNC] = start_server(["-m", "githubapp", "web"], {
                **env, "PORT": str(ports[ASYNC]), "DATABASE_URL": async_url, "CI_TRIAGE_QUEUE": "bench-async:queue",
            }, root / "web-async.log")
        try:
            for name, process in servers.items():
                _wait_for_port(ports[name], process)
            print(f"payload: workflow_run.completed, {len(body)} bytes, signed; server: uvicorn, 1 process each; "
                  f"{os.cpu_count()} cores shared with PostgreSQL, Redis and this client; "
                  f"load average before: {os.getloadavg()[0]:.1f}")
            maximum = {name: Result(0.0, [], 0) for name in servers}
            fixed = {name: Result(0.0, [], 0) for name in servers}
            for name in servers:  # warm-up: imports, pools, JIT-free but caches
                await closed_loop(ports[name], body, signature, concurrency=4, seconds=0.5)
            for _ in range(rounds):
                for name in servers:
                    maximum[name] = maximum[name].merged(await closed_loop(
                        ports[name], body, signature, concurrency=concurrency, seconds=seconds / rounds))
            for _ in range(rounds):
                for name in servers:
                    fixed[name] = fixed[name].merged(await open_loop(
                        ports[name], body, signature, rate=rate, seconds=seconds / rounds))
            print(f"maximum throughput ({concurrency} keep-alive connections, {seconds:.0f} s in {rounds} "
                  "alternating slices):")
            for name, result in maximum.items():
                print(row(name, result))
            print(f"fixed offered rate {rate:.0f} deliveries/s ({seconds:.0f} s, latency from the scheduled send):")
            for name, result in fixed.items():
                print(row(name, result))
            ratio = maximum["ci-triage"].throughput / maximum["bare starlette"].throughput
            p99 = fixed["ci-triage"].pct(0.99)
            stored = await count_stored(database_url)
            print(f"load average after: {os.getloadavg()[0]:.1f} (other work on the machine skews every figure)")
            print(f"ci-triage / bare maximum throughput: {ratio:.0%} (goal ≥ {GOAL_THROUGHPUT_RATIO:.0%})")
            print(f"ci-triage p99 at {rate:.0f}/s: {p99:.1f} ms (goal < {GOAL_P99_MS:.0f} ms)")
            sent_ok = sum(len(r.latencies_ms) - r.errors for r in (maximum["ci-triage"], fixed["ci-triage"]))
            print(f"deliveries stored by ci-triage: {stored} (answered 202 in the measured runs: {sent_ok}+warm-up)")
            errors = sum(r.errors for r in (*maximum.values(), *fixed.values()))
            met = ratio >= GOAL_THROUGHPUT_RATIO and p99 < GOAL_P99_MS and errors == 0
            print("goals met" if met else "GOALS NOT MET")
            return 0 if met else 1
        finally:
            for process in servers.values():
                process.terminate()
            for process in servers.values():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(20)
            for service in stops:
                service.stop()  # type: ignore[attr-defined]


async def count_stored(database_url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM deliveries")
        return count
    finally:
        await conn.close()


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks webhook", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each measured phase")
    parser.add_argument("--rate", type=float, default=200.0, help="offered rate of the fixed-rate phase")
    parser.add_argument("--concurrency", type=int, default=32, help="connections of the throughput phase")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating slices per phase (1: each server measured once, one after the other)")
    parser.add_argument("--async-commit", action="store_true",
                        help="also measure ci-triage on a database with synchronous_commit = off (not durable)")
    args = parser.parse_args(list(argv))
    return asyncio.run(run(args.seconds, args.rate, args.concurrency, rounds=max(1, args.rounds),
                           async_commit=args.async_commit))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
