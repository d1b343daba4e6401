"""Fixed-window request limits in Redis, shared by every replica: per API key and per client address."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis

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
