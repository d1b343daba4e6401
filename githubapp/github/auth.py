"""GitHub App authentication: the App's JWT and cached installation tokens.

Installation tokens live one hour; we keep each in process memory until 5 minutes before ``expires_at`` and
mint a new one only then (or after GitHub answered 401), never one per event. They are never written to the
database or to logs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import jwt

JWT_BACKDATE_SECONDS = 60  # GitHub's advice: allow for clock drift
JWT_LIFETIME_SECONDS = 9 * 60  # after now; GitHub refuses exp more than 10 minutes ahead
JWT_REUSE_SECONDS = 7 * 60
TOKEN_REFRESH_MARGIN_SECONDS = 5 * 60


def app_jwt(app_id: int, private_key: str, *, now: float | None = None) -> str:
    """An RS256 JWT for the App: iat 60 s in the past, exp 9 minutes ahead, iss = App id."""
    issued = int(time.time() if now is None else now)
    claims = {"iat": issued - JWT_BACKDATE_SECONDS, "exp": issued + JWT_LIFETIME_SECONDS, "iss": str(app_id)}
    return jwt.encode(claims, private_key, algorithm="RS256")


class AppJwtSource:
    """Reuses one JWT for a few minutes instead of signing per request."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._cached: tuple[int, str, float, str] | None = None  # app id, key, made at, jwt

    def get(self, app_id: int, private_key: str) -> str:
        now = self._clock()
        cached = self._cached
        if cached and cached[0] == app_id and cached[1] == private_key and now - cached[2] < JWT_REUSE_SECONDS:
            return cached[3]
        token = app_jwt(app_id, private_key, now=now)
        self._cached = (app_id, private_key, now, token)
        return token


@dataclass(frozen=True)
class InstallationToken:
    token: str
    expires_at: float  # epoch seconds

    @classmethod
    def from_response(cls, data: dict[str, object]) -> InstallationToken:
        """From the body of ``POST /app/installations/{id}/access_tokens``."""
        token, expires = data.get("token"), data.get("expires_at")
        if not isinstance(token, str) or not isinstance(expires, str):
            raise ValueError("installation token response lacks token or expires_at")
        return cls(token, datetime.fromisoformat(expires.replace("Z", "+00:00")).timestamp())


Mint = Callable[[int], Awaitable[InstallationToken]]


class InstallationTokenCache:
    """Installation tokens per installation id, refreshed 5 minutes before they expire.

    One lock per installation so a burst of jobs for a new installation mints one token, not one each.
    """

    def __init__(
        self,
        mint: Mint,
        *,
        clock: Callable[[], float] = time.time,
        margin: float = TOKEN_REFRESH_MARGIN_SECONDS,
    ) -> None:
        self._mint = mint
        self._clock = clock
        self._margin = margin
        self._tokens: dict[int, InstallationToken] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def _fresh(self, installation_id: int) -> InstallationToken | None:
        cached = self._tokens.get(installation_id)
        if cached is not None and cached.expires_at - self._margin > self._clock():
            return cached
        return None

    async def get(self, installation_id: int, *, stale: str | None = None) -> str:
        """A usable token; ``stale`` (just refused with 401) is replaced unless another task did already."""
        lock = self._locks.setdefault(installation_id, asyncio.Lock())
        async with lock:
            cached = self._fresh(installation_id)
            if cached is not None and (stale is None or cached.token != stale):
                return cached.token
            minted = await self._mint(installation_id)
            self._tokens[installation_id] = minted
            return minted.token
