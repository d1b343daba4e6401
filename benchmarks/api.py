"""REST API read path: ``GET /api/failures`` (key auth, rate limit, validation, scoped keyset query, JSON) beside
the bare SQL query it runs, in the same process and the same run, on a private embedded PostgreSQL and Redis.

The history holds ``--failures`` rows (default 50,000) over 200 patterns, two installations and 20 repositories;
the API pages through one installation's failures (first page, and a page 2,000 rows deep through cursors) and
reads ``GET /api/failures/{id}``. Baseline: the same storage query (asyncpg, rows to dicts) without HTTP.
``python -m benchmarks api -- [--failures 50000] [--requests 200]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))] * 1000


async def _measure(fn: Callable[[], Awaitable[Any]], n: int) -> list[float]:
    for _ in range(5):  # warm caches and pools
        await fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - started)
    return samples


async def seed(pool: Any, failures: int) -> None:
    await pool.execute(
        """INSERT INTO patterns (installation_id, kind, title, representative_text, occurrences, first_seen,
                                 last_seen, repositories)
           SELECT 1 + (g % 2), 'test', 'pattern ' || g, 'text ' || g, 0, now() - interval '90 days', now(), '{}'
             FROM generate_series(1, 200) g"""
    )
    await pool.execute(
        """INSERT INTO failures (installation_id, repository_id, pattern_id, run_id, job_id, branch, kind, tool,
                                 test_id, message, fingerprint, text, excerpt, how, seen_at)
           SELECT 1 + (g % 2), 100 + (g % 20), 1 + (g % 200), g / 10, g, 'main', 'test', 'pytest',
                  'tests/test_' || (g % 500) || '.py::test_case', 'AssertionError: case ' || g, md5(g::text),
                  'assertionerror case', repeat('log line ' || g || E'\\n', 20), 'similar',
                  now() - (g || ' seconds')::interval
             FROM generate_series(1, $1) g""",
        failures,
    )
    await pool.execute("ANALYZE failures")


async def run(failures: int, requests: int) -> int:
    import httpx

    from githubapp.app import create_app
    from githubapp.backing import RedisChild
    from githubapp.runtime import open_deps
    from githubapp.settings import Settings
    from storage import api_keys, browse, db
    from storage.embedded_pg import EmbeddedPostgres

    with tempfile.TemporaryDirectory(prefix="ci-triage-bench-api-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg")
        pg.start()
        redis = RedisChild(Path(tmp) / "redis")
        redis_url = redis.start()
        try:
            await db.create_database(pg.url(), "bench")
            url = pg.url("bench")
            await db.migrate(url)
            settings = replace(Settings(data_dir=Path(tmp) / "data"), database_url=url, redis_url=redis_url,
                               api_rate_limit=10**9)
            async with open_deps(settings, run_migrations=False) as deps:
                await seed(deps.pool, failures)
                async with deps.pool.acquire() as conn:
                    key = (await api_keys.create_key(conn, 1, "bench")).secret
                app = create_app(settings, deps=deps)
                app.state.deps = deps
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                             headers={"x-api-key": key}) as client:
                    scope = browse.Scope([1])
                    deep: dict[str, Any] = {}
                    cursor = None
                    for _ in range(40):  # 2,000 rows into the listing
                        params: dict[str, Any] = {"limit": 50}
                        if cursor:
                            params["cursor"] = cursor
                        deep = (await client.get("/api/failures", params=params)).json()
                        cursor = deep["nextCursor"]
                    last = deep["items"][-1]
                    after = (datetime.fromisoformat(last["seenAt"]), last["id"])
                    one = last["id"]
                    cases: list[tuple[str, Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]] = [
                        ("first page (50)",
                         lambda: client.get("/api/failures", params={"limit": 50}),
                         lambda: browse.failures(deps.pool, scope, browse.FailureFilter(), after=None, limit=51)),
                        ("page 41 by cursor",
                         lambda: client.get("/api/failures", params={"limit": 50, "cursor": cursor}),
                         lambda: browse.failures(deps.pool, scope, browse.FailureFilter(), after=after, limit=51)),
                        ("one failure",
                         lambda: client.get(f"/api/failures/{one}"),
                         lambda: browse.failure(deps.pool, scope, one)),
                    ]
                    print(f"api benchmark: {failures:,} failures, {requests} requests per case, in-process ASGI")
                    print(f"{'case':<22}{'API p50':>10}{'API p90':>10}{'SQL p50':>10}{'SQL p90':>10}{'ratio':>8}")
                    for name, through_api, bare in cases:
                        api_samples = await _measure(through_api, requests)
                        sql_samples = await _measure(bare, requests)
                        a50, a90 = _stats(api_samples)
                        s50, s90 = _stats(sql_samples)
                        print(f"{name:<22}{a50:>8.2f}ms{a90:>8.2f}ms{s50:>8.2f}ms{s90:>8.2f}ms{a50 / s50:>7.1f}x")
        finally:
            redis.stop()
            pg.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks api", description=__doc__.split("\n")[0])
    parser.add_argument("--failures", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.failures, args.requests))
