"""Fixed-window request limits in Redis, shared by every replica: per API key and per client address."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api.auth import presented_key
from .triage_metrics import count

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

    async def peek(self, subject: str, *, now: float | None = None) -> int | None:
        """Like ``hit`` without counting: the seconds to wait when ``subject`` is already over the limit."""
        now = time.time() if now is None else now
        window = self.limit.window_seconds
        bucket = int(now // window)
        try:
            async with asyncio.timeout(1):
                count = await self.redis.get(f"{self.prefix}:ratelimit:{subject}:{bucket}")
        except Exception as exc:
            log.warning("rate limiter unavailable: %s", type(exc).__name__)
            return None
        if count is None or int(count) < self.limit.requests:
            return None
        return max(1, math.ceil((bucket + 1) * window - now))


class ApiRateLimit:
    """ASGI middleware limiting every /api request (every operation of ``githubapp.web.api``) per
    real client address and per presented API key, before any handler runs. The key is counted by a hash of
    what was presented, so limiting needs no database lookup. The client address is the peer's, or, when the
    peer is a trusted proxy (TRUSTED_PROXIES), the nearest untrusted hop of X-Forwarded-For: clients behind
    one ingress no longer share a bucket. Failed authentications (401) count in a bucket of their own per
    address (API_AUTH_FAILURE_LIMIT): guessing keys is stopped early without spending anyone else's budget."""

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
        address = client_address(scope, trusted_networks(deps.settings.forwarded_allow_ips))
        failures = RateLimiter(limiter.redis, limiter.prefix,
                               Limit(deps.settings.api_auth_failure_limit, limiter.limit.window_seconds))
        subjects: list[tuple[str, RateLimiter]] = [(f"ip:{address}", limiter)]
        secret = presented_secret(request)
        if secret:
            subjects.append(("key:" + hashlib.sha256(secret.encode()).hexdigest()[:32], limiter))
        blocked = await failures.peek(f"authfail:{address}")
        if blocked is not None:
            await self._refuse(deps, "authfail", blocked, scope, receive, send)
            return
        for subject, bucket in subjects:
            retry_after = await bucket.hit(subject)
            if retry_after is not None:
                await self._refuse(deps, subject.split(":", 1)[0], retry_after, scope, receive, send)
                return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                await failures.hit(f"authfail:{address}")
            await send(message)

        await self.app(scope, receive, watch)

    @staticmethod
    async def _refuse(deps: Any, limit: str, retry_after: int, scope: Scope, receive: Receive, send: Send) -> None:
        await count(deps, "ci_triage_api_rate_limited_total", limit=limit)
        response = JSONResponse(
            {"error": "rate_limited", "message": "too many requests; slow down"},
            status_code=429, headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def trusted_networks(spec: str) -> tuple[Network, ...] | None:
    """The trusted proxies of TRUSTED_PROXIES; None when "*" (every peer is trusted)."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if "*" in parts:
        return None
    return tuple(ipaddress.ip_network(p, strict=False) for p in parts)


def _trusted(address: str, networks: tuple[Network, ...] | None) -> bool:
    if networks is None:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(scope: Scope, networks: tuple[Network, ...] | None) -> str:
    """The address of the client: the peer's unless the peer is a trusted proxy; then X-Forwarded-For read
    from the right, skipping trusted proxies, up to the first address a trusted proxy did not add. A forged
    header from an untrusted peer is never read; garbage in the header stops the walk there."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if not _trusted(peer, networks):
        return peer
    forwarded = [
        value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
    ]
    hops = [hop.strip() for value in forwarded for hop in value.split(",")]
    address = peer
    for hop in reversed(hops[-32:]):  # a bounded walk: the header is the client's to make long
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        address = hop
        if not _trusted(hop, networks):
            break
    return address


def presented_secret(request: Request) -> str | None:
    return presented_key(request)


def limiter_of(deps: Any) -> RateLimiter:
    found: RateLimiter | None = deps.services.api_rate_limiter
    if found is None:
        limit = Limit(deps.settings.api_rate_limit, deps.settings.api_rate_window_seconds)
        found = deps.services.api_rate_limiter = RateLimiter(deps.queue, deps.settings.queue_name, limit)
    return found
