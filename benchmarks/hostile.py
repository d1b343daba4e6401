"""Hostile logs under ``ci-triage serve`` (issue 19): how fast ``/health`` and the webhook intake answer while a
64 MiB hostile log is triaged, and the peak RSS of a run with 4 failed jobs of 64 MiB each.

``ci-triage serve`` (web + worker in one event loop) runs as its own process with its settings in the
environment, as deployed. GitHub is the suite's fake, in this process: it holds the logs it serves, so its
memory is not the app's. PostgreSQL and Redis are real. psutil samples the RSS of the serve process and its
descendants (the forkserver and the analysis children) every 20 ms; their sum at its highest is the run's
peak. The hostile log repeats what made the old patterns backtrack (an 80 KB run of "Snapshot `", pre-commit
lines of dots, code-frame lines of spaces) among error-dense lines, with a jest failure so the fix rules read
it too.

``python -m benchmarks hostile [-- --mb 64 --jobs 4 --baseline DIR]`` (``DIR``: another checkout to run
``serve`` from, e.g. ``git worktree add DIR <commit>``; its numbers are printed beside)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil

from .pipeline import _pct, _private_key

GOAL_P99_S = 0.1
GOAL_RSS_MB = 600.0
_STAMP = b"2026-11-24T10:00:00.0000000Z "


def hostile_log(size: int) -> bytes:
    head = [
        b"##[group]Run npx jest --ci",
        b"FAIL src/cart.test.js",
        "  \u25cf cart \u203a adds two prices".encode(),
        b"    Snapshot name: `cart adds two prices 1`",
        b"    - Snapshot  - 1",
        b"    + Received  + 1",
        b"    - 3",
        b"    + 4",
    ]
    block = [
        b"Snapshot `" * 8_000,
        b"." * 2_000 + b"xFailed",
        b" " * 8_000 + b"x",
        b"ERROR: tests failed: cannot build module; error: fatal exception, could not open file (errors: 3)",
        b"  at Object.<anonymous> (src/cart.test.js:12:5) error TS2345: failed ... mismatch",
    ] * 4
    out = bytearray()
    for line in head:
        out += _STAMP + line + b"\n"
    chunk = b"".join(_STAMP + line + b"\n" for line in block)
    while len(out) + len(chunk) < size - 200:
        out += chunk
    out += _STAMP + b"##[error]Process completed with exit code 1.\n"
    return bytes(out)


def serve_jobs(github: Any, owner: str, repo: str, run_id: int, logs: list[bytes]) -> None:
    jobs = []
    for index, log in enumerate(logs):
        job_id = run_id * 10 + index
        jobs.append(
            {
                "id": job_id,
                "run_id": run_id,
                "run_attempt": 1,
                "name": f"test ({index})",
                "status": "completed",
                "conclusion": "failure",
                "html_url": f"https://github.com/{owner}/{repo}/actions/runs/{run_id}/job/{job_id}",
                "steps": [],
            }
        )
        github.job_logs(owner, repo, job_id=job_id, text=log)
    github.paginate(f"/repos/{owner}/{repo}/actions/runs/{run_id}/jobs", jobs)
    github.paginate(f"/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts", [])


class TreeRss:
    """Peak of the summed RSS of a process and its descendants, sampled in a thread-free asyncio task."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_parts: list[tuple[str, int]] = []

    def sample(self) -> None:
        parts = []
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                parts.append((proc.name(), proc.memory_info().rss))
            except psutil.Error:
                continue
        total = sum(rss for _, rss in parts)
        if total > self.peak:
            self.peak, self.peak_parts = total, parts


def _signed(secret: str, event: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    from tests.support.payloads import sign

    body = json.dumps(payload).encode()
    return body, {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": str(uuid.uuid4()),
        "x-hub-signature-256": sign(body, secret),
        "user-agent": "GitHub-Hookshot/bench",
    }


async def _until_completed(
    github: Any,
    owner: str,
    repo: str,
    sha: str | None,
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    rss: TreeRss,
    seconds: float = 1800,
) -> tuple[float, list[float], list[float]]:
    """Poll /health and post webhooks (a handled event the worker ignores) until the check run of ``sha``
    completes (or for ``seconds`` when ``sha`` is None: the idle baseline)."""
    from tests.pipeline.test_end_to_end import run_payload

    started = time.perf_counter()
    health: list[float] = []
    hooks: list[float] = []
    while sha is None or not any(c.get("status") == "completed" for c in github.check_runs_for(owner, repo, sha)):
        if time.perf_counter() - started > seconds:
            if sha is None:
                break
            raise RuntimeError(f"no completed check run after {seconds:.0f} s")
        rss.sample()
        t = time.perf_counter()
        answer = await client.get(f"{url}/health")
        health.append(time.perf_counter() - t)
        assert answer.status_code == 200, answer.text
        payload = run_payload(1, 1, "0" * 40)
        payload["action"] = "requested"
        body, headers = _signed(secret, "workflow_run", payload)
        t = time.perf_counter()
        answer = await client.post(f"{url}/webhooks/github", content=body, headers=headers)
        hooks.append(time.perf_counter() - t)
        assert answer.status_code in (200, 202), answer.text
        await asyncio.sleep(0.02)
    return time.perf_counter() - started, health, hooks


async def _bench(megabytes: int, jobs: int, root: Path, checkout: Path) -> dict[str, Any]:
    from githubapp.backing import RedisChild
    from storage import db
    from tests.pipeline.test_end_to_end import OWNER, REPO, run_payload, serve_repository
    from tests.support.fake_github import FakeGitHub
    from tests.support.services import free_port, start_postgres, unique_name

    log = hostile_log(megabytes << 20)
    pg = start_postgres(root / "pg")
    redis = RedisChild(root / "redis")
    github = FakeGitHub().start()
    serve: subprocess.Popen[bytes] | None = None
    results: dict[str, Any] = {}
    try:
        name = unique_name("bench")
        await db.create_database(pg.url(), name)
        port = free_port()
        secret = "bench-secret"
        env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")},
            "CI_TRIAGE_DATA_DIR": str(root / "data"),
            "DATABASE_URL": pg.url(name),
            "REDIS_URL": redis.start(),
            "CI_TRIAGE_QUEUE": f"{name}:queue",
            "GITHUB_APP_ID": "4242",
            "GITHUB_PRIVATE_KEY": _private_key(),
            "GITHUB_WEBHOOK_SECRET": secret,
            "GITHUB_API_URL": github.url,
            "PORT": str(port),
            "LOG_LEVEL": "warning",
        }
        serve = subprocess.Popen([sys.executable, "-m", "githubapp", "serve"], cwd=checkout, env=env)
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=60) as client:
            for _ in range(600):
                try:
                    if (await client.get(f"{url}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("serve did not start")
            serve_repository(github)
            rss = TreeRss(serve.pid)
            rss.sample()
            results["idle_rss_mb"] = rss.peak / 1e6

            # 0. the same requests with nothing to triage: what this machine gives at the time
            _, health, hooks = await _until_completed(github, OWNER, REPO, None, client, url, secret, rss, 15)
            results["idle"] = {"health": health, "hooks": hooks}

            # 1. one hostile job log: latency of /health and of the webhook intake meanwhile
            serve_jobs(github, OWNER, REPO, 1, [log])
            body, headers = _signed(secret, "workflow_run", run_payload(777, 1, "1" * 40))
            response = await client.post(f"{url}/webhooks/github", content=body, headers=headers)
            assert response.status_code == 202, response.text
            took, health, hooks = await _until_completed(github, OWNER, REPO, "1" * 40, client, url, secret, rss)
            check = next(c for c in github.check_runs_for(OWNER, REPO, "1" * 40) if c.get("status") == "completed")
            results["hostile"] = {
                "took_s": took,
                "health": health,
                "hooks": hooks,
                "title": check["output"]["title"],
            }

            # 2. four failed jobs of 64 MiB each: the serve tree's peak RSS
            rss = TreeRss(serve.pid)
            serve_jobs(github, OWNER, REPO, 2, [log] * jobs)
            body, headers = _signed(secret, "workflow_run", run_payload(777, 2, "2" * 40))
            assert (await client.post(f"{url}/webhooks/github", content=body, headers=headers)).status_code == 202
            took, health, hooks = await _until_completed(github, OWNER, REPO, "2" * 40, client, url, secret, rss)
            results["matrix"] = {"took_s": took, "peak_rss_mb": rss.peak / 1e6, "parts": rss.peak_parts}
    finally:
        if serve is not None:
            serve.terminate()
            try:
                serve.wait(60)
            except subprocess.TimeoutExpired:
                serve.kill()
        github.stop()
        redis.stop()
        pg.stop()
    return results


def _report(label: str, results: dict[str, Any], megabytes: int, jobs: int) -> bool:
    hostile, matrix = results["hostile"], results["matrix"]
    health, hooks = hostile["health"], hostile["hooks"]
    print(f"[{label}] idle serve tree RSS: {results['idle_rss_mb']:.0f} MB")
    print(f"[{label}] one hostile {megabytes} MiB log triaged in {hostile['took_s']:.1f} s ({hostile['title']!r})")
    idle = results["idle"]
    for name, values in (
        ("GET /health", health),
        ("POST webhook", hooks),
        ("idle /health", idle["health"]),
        ("idle webhook", idle["hooks"]),
    ):
        print(
            f"[{label}]   {name:<13} n={len(values)} p50 {statistics.median(values) * 1000:.0f} ms, "
            f"p99 {_pct(values, 0.99) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms "
            f"(goal p99 < {GOAL_P99_S * 1000:.0f} ms)"
        )
    parts = ", ".join(f"{n} {r / 1e6:.0f}" for n, r in sorted(matrix["parts"], key=lambda p: -p[1]))
    print(
        f"[{label}] {jobs} x {megabytes} MiB failed jobs: triaged in {matrix['took_s']:.1f} s, peak RSS of the "
        f"serve tree {matrix['peak_rss_mb']:.0f} MB (goal < {GOAL_RSS_MB:.0f} MB) [{parts}]"
    )
    return _pct(health, 0.99) < GOAL_P99_S and _pct(hooks, 0.99) < GOAL_P99_S and matrix["peak_rss_mb"] < GOAL_RSS_MB


def main(argv: list[str]) -> int:
    from .datasets import ROOT

    parser = argparse.ArgumentParser(prog="python -m benchmarks hostile", description=__doc__)
    parser.add_argument("--mb", type=int, default=64, help="size of each job log in MiB")
    parser.add_argument("--jobs", type=int, default=4, help="failed jobs of the memory run")
    parser.add_argument("--baseline", type=Path, help="another checkout to run serve from, measured first")
    args = parser.parse_args(argv)
    met = True
    for label, checkout in ([("baseline", args.baseline)] if args.baseline else []) + [("this", ROOT)]:
        with tempfile.TemporaryDirectory(prefix="ci-triage-bench-") as tmp:
            try:
                results = asyncio.run(_bench(args.mb, args.jobs, Path(tmp), checkout.resolve()))
            except (RuntimeError, AssertionError) as exc:
                print(f"[{label}] failed: {exc}")
                met = label == "baseline" and met
                continue
            ok = _report(label, results, args.mb, args.jobs)
            met = met and (ok or label == "baseline")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
