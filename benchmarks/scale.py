"""Scale-out throughput: N ``ci-triage web`` + M ``ci-triage worker`` processes on one PostgreSQL and one Redis.

    python -m benchmarks scale -- [--deliveries=400] [--jobs=400] [--topologies=1x1,2x2] [--repeat=1]
    python -m benchmarks.scale [same options]

For each topology (``WEBSxWORKERS``), on a fresh database: the time until every process is up (they start
together and race for the migration lock); a burst of queued jobs through the workers (jobs/s); and, when
the webhook intake is present, a burst of signed ``workflow_run`` deliveries POSTed round-robin to the webs
(``--concurrency`` in flight), measured as accepted/s with p50/p95 answer times, and end to end (first POST to
the last delivery marked done). The first topology is the baseline; the others are reported as ratios
against it. All processes share this machine's cores, so the ratios show what extra processes buy on *this*
machine, not a cluster's scaling.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
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
from tests.deploy.cluster import Cluster, Delivery, post_deliveries, signed_delivery, wait_until_finished
from tests.support.fake_github import FakeGitHub
from tests.support.payloads import load_payload
from tests.support.services import start_postgres

WEBHOOK_SECRET = "benchmark-webhook-secret"


@dataclass
class Result:
    topology: str
    startup_seconds: float
    jobs: int
    jobs_seconds: float
    deliveries: int = 0
    accept_seconds: float = 0.0  # first POST to last answer
    end_to_end_seconds: float = 0.0  # first POST to last delivery done
    answer_p50: float = 0.0
    answer_p95: float = 0.0

    @property
    def jobs_per_second(self) -> float:
        return self.jobs / self.jobs_seconds

    @property
    def accepted_per_second(self) -> float:
        return self.deliveries / self.accept_seconds if self.accept_seconds else 0.0

    @property
    def processed_per_second(self) -> float:
        return self.deliveries / self.end_to_end_seconds if self.end_to_end_seconds else 0.0


def intake_present() -> bool:
    return importlib.util.find_spec("githubapp.intake.webhooks") is not None


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


def _delivery(index: int) -> Delivery:
    payload = load_payload("workflow_run", "completed")
    payload["installation"] = {"id": 4242}
    payload["workflow_run"]["id"] = 9_000_000 + index
    return signed_delivery(payload, "workflow_run", WEBHOOK_SECRET)


async def _run_deliveries(cluster: Cluster, count: int, concurrency: int) -> tuple[float, float, list[float]]:
    deliveries = [_delivery(i) for i in range(count)]
    sends = [(i % len(cluster.webs), d) for i, d in enumerate(deliveries)]
    started = time.perf_counter()
    answers = await post_deliveries(cluster, sends, concurrency=concurrency)
    accepted = time.perf_counter() - started
    refused = [a for a in answers if a.status != 202]
    if refused:
        raise RuntimeError(f"{len(refused)} deliveries refused, e.g. {refused[0]}")
    rows = await wait_until_finished(cluster.database_url, [d.id for d in deliveries], timeout=600)
    finished = time.perf_counter() - started
    if any(r["status"] != "done" or r["attempts"] != 1 for r in rows):
        raise RuntimeError("a delivery failed or ran twice")
    return accepted, finished, [a.seconds for a in answers]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(topology: str, *, admin_url: str, redis_url: str, root: Path, jobs: int, deliveries: int,
                  concurrency: int, env: dict[str, str]) -> Result:
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
        result = Result(topology, startup, jobs, await _run_jobs(cluster, jobs))
        if deliveries and intake_present():
            await _run_deliveries(cluster, 20, concurrency)  # warm-up
            accepted, finished, answers = await _run_deliveries(cluster, deliveries, concurrency)
            result.deliveries, result.accept_seconds, result.end_to_end_seconds = deliveries, accepted, finished
            result.answer_p50, result.answer_p95 = _percentile(answers, 0.5), _percentile(answers, 0.95)
    finally:
        await asyncio.to_thread(cluster.stop)
    return result


async def run(topologies: list[str], jobs: int, deliveries: int, concurrency: int, repeat: int
              ) -> list[list[Result]]:
    github = FakeGitHub().start()  # whatever the workers ask GitHub goes to the suite's fake, on loopback
    github.paginate("/app/hook/deliveries", [])  # the reconcile cron: nothing missed
    github.on("GET", "/repos/{owner}/{repo}/contents/{path}", json={"message": "Not Found"}, status=404)
    env = {"GITHUB_APP_ID": "4242", "GITHUB_PRIVATE_KEY": _private_key(), "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "GITHUB_API_URL": github.url, "GITHUB_URL": github.url}
    with tempfile.TemporaryDirectory(prefix="ci-triage-bench-") as tmp:
        root = Path(tmp)
        pg = start_postgres(root / "postgres")
        redis = RedisChild(root / "redis")
        redis_url = redis.start()
        try:
            return [
                [await measure(t, admin_url=pg.url(), redis_url=redis_url, root=root / f"run{i}", jobs=jobs,
                               deliveries=deliveries, concurrency=concurrency, env=env)
                 for t in topologies]
                for i in range(repeat)
            ]
        finally:
            redis.stop()
            pg.stop()
            github.stop()


def report(runs: list[list[Result]]) -> str:
    topologies = [r.topology for r in runs[0]]

    def median(index: int, attribute: str) -> float:
        return float(statistics.median(getattr(run[index], attribute) for run in runs))

    with_deliveries = runs[0][0].deliveries > 0
    header = f"{'topology':>9} {'start-up s':>10} {'jobs/s':>8} {'vs base':>8}"
    if with_deliveries:
        header += f" {'accepted/s':>10} {'p50 ms':>7} {'p95 ms':>7} {'processed/s':>11} {'vs base':>8}"
    lines = [header]
    for index, topology in enumerate(topologies):
        line = (f"{topology:>9} {median(index, 'startup_seconds'):>10.2f} {median(index, 'jobs_per_second'):>8.0f}"
                f" {median(index, 'jobs_per_second') / median(0, 'jobs_per_second'):>8.2f}")
        if with_deliveries:
            processed = median(index, "processed_per_second")
            line += (f" {median(index, 'accepted_per_second'):>10.0f} {median(index, 'answer_p50') * 1000:>7.1f}"
                     f" {median(index, 'answer_p95') * 1000:>7.1f} {processed:>11.0f}"
                     f" {processed / median(0, 'processed_per_second'):>8.2f}")
        lines.append(line)
    first = runs[0][0]
    lines.append(f"(median of {len(runs)} run(s); {first.jobs} heartbeat jobs"
                 + (f", {first.deliveries} workflow_run deliveries" if with_deliveries else
                    "; no webhook intake on this branch, deliveries not measured")
                 + f" per run; baseline {topologies[0]}; WEBSxWORKERS)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32, help="webhook requests in flight")
    parser.add_argument("--topologies", default="1x1,2x2")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print raw results as JSON too")
    args = parser.parse_args(argv)
    runs = asyncio.run(run(args.topologies.split(","), args.jobs, args.deliveries, args.concurrency, args.repeat))
    print(report(runs))
    if args.json:
        print(json.dumps([[asdict(r) for r in run] for run in runs], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
