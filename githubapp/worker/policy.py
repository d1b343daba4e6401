"""One policy for every arq job: which errors a retry can fix, how long to wait before the next try (never
sooner than GitHub's ``retry_after``), and how long a job may run."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import gidgethub

from ..github.client import GitHubUnavailable, RateLimited

RETRY_CAP_SECONDS = 15 * 60

# How long a job may run: any job without its own timeout, and the crons that have one.
JOB_TIMEOUT_SECONDS = 600
SWEEP_TIMEOUT_SECONDS = 120
RECONCILE_TIMEOUT_SECONDS = 300
NIGHTLY_TIMEOUT_SECONDS = 600
RETENTION_TIMEOUT_SECONDS = 3600
LONGEST_TIMEOUT_SECONDS = max(
    JOB_TIMEOUT_SECONDS,
    SWEEP_TIMEOUT_SECONDS,
    RECONCILE_TIMEOUT_SECONDS,
    NIGHTLY_TIMEOUT_SECONDS,
    RETENTION_TIMEOUT_SECONDS,
)


def retry_delay(job_try: int, base: float, cap: float = RETRY_CAP_SECONDS) -> float:
    """Exponential backoff before try ``job_try + 1``: base, 2·base, 4·base ... capped."""
    return float(min(cap, base * 2 ** max(0, job_try - 1)))


def is_permanent(exc: BaseException) -> bool:
    """Errors a retry cannot fix: GitHub's 4xx refusals (rate limits excepted), malformed payloads."""
    if isinstance(exc, RateLimited | GitHubUnavailable | gidgethub.GitHubBroken):
        return False
    if isinstance(exc, gidgethub.BadRequest):
        return exc.status_code not in (403, 408, 409, 429)
    # A payload of the wrong shape fails the same way every time: a missing key, None or a str where an
    # object was expected, a value PostgreSQL refuses (out of range, wrong type, NULL in a NOT NULL column).
    return isinstance(
        exc,
        KeyError
        | TypeError
        | ValueError
        | AttributeError
        | asyncpg.DataError
        | asyncpg.NotNullViolationError
        | asyncpg.CheckViolationError,
    )


def next_try_in(
    exc: BaseException,
    job_try: int,
    *,
    max_tries: int,
    base: float,
    permanent: Callable[[BaseException], bool] = is_permanent,
) -> float | None:
    """Seconds to wait before trying again, or None when the job should give up (a permanent error, or
    this was the last try). A rate limit is waited out in full, however short the backoff."""
    if permanent(exc) or job_try >= max_tries:
        return None
    delay = retry_delay(job_try, base)
    if isinstance(exc, RateLimited):
        delay = max(delay, exc.retry_after)
    return delay


def in_progress_ttl_ms() -> float:
    """The lifetime arq gives its in-progress keys: the longest job timeout of the worker, plus 10 s."""
    return (LONGEST_TIMEOUT_SECONDS + 10) * 1000.0
