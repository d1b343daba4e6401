"""Fixed-window request limits in Redis, shared by every replica: per API key and per client address."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("ci_triage.ratelimit")


@dataclass(frozen=True)
class Limit:
    requests: int
    window_seconds: int


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str, limit: Limit) -> None:
        self.redis = redis
        self.prefix = prefix
        self.limit = limit

    async def hit(self, subject: str, *, now: float | None = None) -> int | None:
        """Count one request of ``subject``; the seconds to wait when over the limit, else None.

        Redis trouble lets the request through (logged): an outage of the limiter must not take the API down."""
        now = time.time() if now is None else now
        window = self.limit.window_seconds
        bucket = int(now // window)
        key = f"{self.prefix}:ratelimit:{subject}:{bucket}"
        try:
            async with asyncio.timeout(1):
                pipe = self.redis.pipeline(transaction=True)
                pipe.incr(key)
                pipe.expire(key, window + 1)
                count, _ = await pipe.execute()
        except Exception as exc:
            log.warning("rate limiter unavailable: %s", type(exc).__name__)
            return None
        if int(count) <= self.limit.requests:
            return None
        return max(1, math.ceil((bucket + 1) * window - now))


class ApiRateLimit:
    """ASGI middleware limiting every /api request (this feature's and other features' endpoints alike) per
    client address and per presented API key, before any handler runs. The key is counted by a hash of what
    was presented, so limiting needs no database lookup; invalid keys still count against the address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path == "/api/openapi.json":
            await self.app(scope, receive, send)
            return
        deps = scope["app"].state.deps
        request = Request(scope)
        limiter = limiter_of(deps)
        subjects = [f"ip:{request.client.host if request.client else 'unknown'}"]
        secret = presented_secret(request)
        if secret:
            subjects.append("key:" + hashlib.sha256(secret.encode()).hexdigest()[:32])
        for subject in subjects:
            retry_after = await limiter.hit(subject)
            if retry_after is not None:
                from .triage_metrics import count

                await count(deps, "ci_triage_api_rate_limited_total", limit=subject.split(":", 1)[0])
                response = JSONResponse(
                    {"error": "rate_limited", "message": "too many requests; slow down"},
                    status_code=429, headers={"Retry-After": str(retry_after)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def presented_secret(request: Request) -> str | None:
    from ..api.auth import presented_key

    return presented_key(request)


def limiter_of(deps: Any) -> RateLimiter:
    found = deps.services.get("api_rate_limiter")
    if found is None:
        limit = Limit(deps.settings.api_rate_limit, deps.settings.api_rate_window_seconds)
        found = deps.services["api_rate_limiter"] = RateLimiter(deps.queue, deps.settings.queue_name, limit)
    return found  # type: ignore[no-any-return]
