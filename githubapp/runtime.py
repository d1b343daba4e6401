"""Opening and closing a process's resources: backing services, migrations, pool, queue, HTTP client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from arq.connections import ArqRedis, RedisSettings, create_pool

from storage import db

from .backing import Backing, start_backing
from .deps import Deps
from .services import install_services  # feature services attach themselves to deps
from .settings import Settings

log = logging.getLogger("ci_triage.runtime")


def redis_settings(url: str) -> RedisSettings:
    # Few quick retries: the webhook must still answer when Redis is down (the sweeper enqueues later).
    return replace(RedisSettings.from_dsn(url), conn_timeout=2, conn_retries=1, conn_retry_delay=0)


async def open_queue(settings: Settings) -> ArqRedis:
    assert settings.redis_url is not None
    return await create_pool(redis_settings(settings.redis_url), default_queue_name=settings.queue_name)


@asynccontextmanager
async def backing_services(settings: Settings) -> AsyncIterator[Settings]:
    """Yield settings with DATABASE_URL and REDIS_URL resolved (embedded servers started when unset)."""
    backing: Backing = await start_backing(settings, log=log.info)
    try:
        yield replace(settings, database_url=backing.database_url, redis_url=backing.redis_url)
    finally:
        backing.stop()


@asynccontextmanager
async def open_deps(settings: Settings, *, run_migrations: bool = True) -> AsyncIterator[Deps]:
    """Resources for one process; ``settings`` must have database and Redis URLs resolved."""
    assert settings.database_url and settings.redis_url, "resolve backing services first"
    if run_migrations:
        applied = await db.migrate(settings.database_url)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
    pool = await db.create_pool(settings.database_url)
    queue = await open_queue(settings)
    http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False)
    deps = Deps(settings=settings, pool=pool, queue=queue, http=http)

    await install_services(deps)
    try:
        yield deps
    finally:
        for closer in reversed(deps.services.closers):
            await closer()
        await http.aclose()
        await queue.aclose()
        await pool.close()
