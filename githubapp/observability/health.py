"""``GET /health`` (the process is alive) and ``GET /health/ready`` (database, Redis and migrations)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from storage.db import pending_migrations

from ..deps import Deps


async def alive(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    deps: Deps = request.app.state.deps
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(3):
            async with deps.pool.acquire() as conn:
                pending = await pending_migrations(conn)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not pending else f"pending: {', '.join(pending)}"
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        async with asyncio.timeout(3):
            await deps.queue.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


routes = [Route("/health", alive), Route("/health/ready", ready)]
