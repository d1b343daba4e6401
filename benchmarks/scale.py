"""Scale-out throughput: N ``ci-triage web`` + M ``ci-triage worker`` processes on one PostgreSQL and one Redis.

    python -m benchmarks scale [--jobs 400] [--topologies 1x1,2x2]

For each topology (``WEBSxWORKERS``), on a fresh database: the time until every process is up (they start
together and race for the migration lock), then a burst of queued jobs run through the workers (jobs/s).
The first topology is the baseline; the others are reported as ratios against it. The machine's cores are
shared by all processes, so the ratios show how much the extra processes buy on *this* machine, not a
cluster's scaling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from arq.connections import create_pool
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from githubapp.backing import RedisChild
from githubapp.runtime import redis_settings
from storage import db
from tests.deploy.cluster import Cluster
from tests.support.services import start_postgres

WEBHOOK_SECRET = "benchmark-webhook-secret"


@dataclass
class Result:
    topology: str
    startup_seconds: float
    jobs: int
    jobs_seconds: float

    @property
    def jobs_per_second(self) -> float:
        return self.jobs / self.jobs_seconds


def _private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


async def _run_jobs(cluster: Cluster, count: int) -> float:
    queue = await create_pool(redis_settings(cluster.redis_url), default_queue_name=cluster.queue_name)
    try:
        started = time.perf_counter()
        jobs = [await queue.enqueue_job("heartbeat", _job_id=f"bench-{uuid.uuid4().hex}") for _ in range(count)]
        await asyncio.gather(*(job.result(timeout=300, poll_delay=0.05) for job in jobs if job is not None))
        return time.perf_counter() - started
    finally:
        await queue.aclose()


async def measure(topology: str, *, admin_url: str, redis_url: str, root: Path, jobs: int, env: dict[str, str]
                  ) -> Result:
    webs, workers = (int(n) for n in topology.split("x"))
    name = f"bench_{uuid.uuid4().hex[:8]}"
    await db.create_database(admin_url, name)
    database_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    cluster = Cluster(database_url, redis_url, f"{name}:queue", root / topology, env)
    started = time.perf_counter()
    try:
        cluster.start(webs=webs, workers=workers)
        await asyncio.to_thread(cluster.wait_ready, 180)
        startup = time.perf_counter() - started
        await _run_jobs(cluster, 20)  # warm-up: connections, imports on first use
        jobs_seconds = await _run_jobs(cluster, jobs)
    finally:
        await asyncio.to_thread(cluster.stop)
    return Result(topology, startup, jobs, jobs_seconds)


async def run(topologies: list[str], jobs: int, repeat: int) -> list[list[Result]]:
    env = {"GITHUB_APP_ID": "4242", "GITHUB_PRIVATE_KEY": _private_key(), "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET}
    with tempfile.TemporaryDirectory(prefix="ci-triage-bench-") as tmp:
        root = Path(tmp)
        pg = start_postgres(root / "postgres")
        redis = RedisChild(root / "redis")
        redis_url = redis.start()
        try:
            return [
                [await measure(t, admin_url=pg.url(), redis_url=redis_url, root=root / f"run{i}", jobs=jobs, env=env)
                 for t in topologies]
                for i in range(repeat)
            ]
        finally:
            redis.stop()
            pg.stop()


def report(runs: list[list[Result]]) -> str:
    topologies = [r.topology for r in runs[0]]
    lines = [f"{'topology':>9} {'start-up s':>10} {'jobs/s':>8} {'vs base':>10}"]
    baseline = statistics.median(run[0].jobs_per_second for run in runs)
    for index, topology in enumerate(topologies):
        startup = statistics.median(run[index].startup_seconds for run in runs)
        rate = statistics.median(run[index].jobs_per_second for run in runs)
        lines.append(f"{topology:>9} {startup:>10.2f} {rate:>8.0f} {rate / baseline:>10.2f}")
    lines.append(f"(median of {len(runs)} run(s); {runs[0][0].jobs} heartbeat jobs per run; baseline "
                 f"{topologies[0]}; WEBSxWORKERS)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--topologies", default="1x1,2x2")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print raw results as JSON too")
    args = parser.parse_args(argv)
    runs = asyncio.run(run(args.topologies.split(","), args.jobs, args.repeat))
    print(report(runs))
    if args.json:
        print(json.dumps([[asdict(r) for r in run] for run in runs], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
