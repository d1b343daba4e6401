"""The one GitHub client: gidgethub's API on our httpx client, plus retries, rate-limit waits and metrics.

* 5xx answers and network errors are retried with exponential backoff, for requests whose repetition has the
  same effect (GET, PUT, PATCH, DELETE; minting a token; content-addressed Git blobs and trees). Any other POST
  (a comment, a re-run, a redelivery) is retried only when it is known not to have reached GitHub: the
  connection could not be made. A 5xx or a connection lost mid-request surfaces, and the job decides.
* 403/429 rate limits wait for ``Retry-After`` or ``x-ratelimit-reset`` when that is short; a longer wait
  raises ``RateLimited`` carrying the delay, so the job can be deferred instead of hammering GitHub.
* A 401 refreshes the credentials once (an installation token revoked or expired early) and retries.
* Every request is counted by status, and ``x-ratelimit-remaining`` is kept as a gauge.
* ``open_download``/``download`` follow the 302 of log and artifact downloads at once (the link expires
  within a minute), without sending our token to the storage host, and stop at a byte cap.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import gidgethub
import gidgethub.abc
import httpx
from gidgethub import sansio
from uritemplate import variable

from ..observability.metrics import Metrics

REQUESTER = "ci-triage"
API_VERSION = "2022-11-28"  # the REST API version this client is written against (X-GitHub-Api-Version)
LEGACY_ACCEPT = sansio.accept_format()  # gidgethub's default, application/vnd.github.v3+json
ACCEPT = "application/vnd.github+json"  # what GitHub documents today
REDIRECTS = frozenset({301, 302, 303, 307, 308})
REPEATABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# POSTs whose repetition changes nothing: a new installation token; Git objects named by their content.
_REPEATABLE_POSTS = ("/access_tokens", "/git/blobs", "/git/trees")
# Transport errors raised before the request left: repeating it cannot do anything twice.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def repeatable(method: str, url: str) -> bool:
    """Whether sending the request twice has the effect of sending it once."""
    if method.upper() in REPEATABLE_METHODS:
        return True
    path = urllib.parse.urlsplit(url).path.rstrip("/")
    return method.upper() == "POST" and path.endswith(_REPEATABLE_POSTS)


class Credentials(Protocol):
    """Supplies the Authorization header; ``stale`` is a value GitHub just refused with 401."""

    @property
    def label(self) -> str:
        """ "app" or the installation id, for metrics."""

    async def authorization(self, *, stale: str | None = None) -> str: ...


class GitHubUnavailable(gidgethub.GitHubException):
    """GitHub could not be reached (network errors) after all retries. Transient."""


class RateLimited(gidgethub.GitHubException):
    """GitHub asked us to wait longer than we wait inline; retry after ``retry_after`` seconds. Transient."""

    def __init__(self, retry_after: float, status_code: int) -> None:
        super().__init__(f"GitHub rate limit ({status_code}): retry in {retry_after:.0f} s")
        self.retry_after = retry_after
        self.status_code = status_code


class DownloadFailed(gidgethub.GitHubException):
    """The storage host behind a download redirect answered with an error."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"download failed with HTTP {status_code}")
        self.status_code = status_code


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_rate_limit_wait: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Exponential with jitter: about base, 2·base, 4·base ... capped."""
        delay = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        return float(delay) * (0.5 + random.random() / 2)


def rate_limit_wait(status: int, headers: Mapping[str, str], body: bytes, now: float) -> float | None:
    """Seconds GitHub asks us to wait before retrying, or None when this is not a rate-limit answer.

    GitHub's rules: honour ``retry-after``; else if ``x-ratelimit-remaining`` is 0 wait until
    ``x-ratelimit-reset``; else a secondary rate limit (429, or 403 saying so) means wait at least a minute.
    """
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    if retry_after:
        if retry_after.strip().isdigit():
            return float(retry_after)
        parsed = email.utils.parsedate_to_datetime(retry_after)
        return max(0.0, float(parsed.timestamp()) - now)
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
        return max(0.0, float(headers["x-ratelimit-reset"]) - now) + 1.0
    if status == 429 or b"rate limit" in body.lower():
        return 60.0
    return None


class DownloadStream:
    """Chunks of a download, stopping at ``max_bytes``; ``truncated`` tells whether more was there."""

    def __init__(self, chunks: AsyncIterator[bytes], max_bytes: int, content_type: str | None) -> None:
        self._chunks = chunks
        self.max_bytes = max_bytes
        self.content_type = content_type
        self.size = 0
        self.truncated = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            room = self.max_bytes - self.size
            if len(chunk) > room:
                self.truncated = True
                if room > 0:
                    self.size += room
                    yield chunk[:room]
                return
            self.size += len(chunk)
            yield chunk


@dataclass(frozen=True)
class Download:
    content: bytes
    truncated: bool
    content_type: str | None


class GitHubClient(gidgethub.abc.GitHubAPI):
    """gidgethub's ``GitHubAPI`` over the process's ``httpx.AsyncClient`` with our credentials and retries.

    Credentials are asked for lazily, on the first request, so building a client costs nothing (no token is
    minted for an event whose handler never calls GitHub).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        credentials: Credentials | None = None,
        metrics: Metrics | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(REQUESTER, base_url=base_url)
        self._http = http
        self.credentials = credentials
        self._metrics = metrics
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    async def _record(self, status: str, headers: Mapping[str, str] | None) -> None:
        if self._metrics is None:
            return
        await self._metrics.incr("ci_triage_github_api_calls_total", status=status)
        remaining = headers.get("x-ratelimit-remaining") if headers is not None else None
        if remaining is not None and remaining.isdigit():
            await self._metrics.set_gauge(
                "ci_triage_github_rate_limit_remaining",
                float(remaining),
                installation=self.credentials.label if self.credentials else "anonymous",
                resource=headers.get("x-ratelimit-resource", "core") if headers is not None else "core",
            )

    async def _send(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> httpx.Response:
        """One logical request: authorization, retries, rate-limit waits. The response body is read."""
        request_headers = dict(headers)
        if request_headers.get("accept") == LEGACY_ACCEPT:
            request_headers["accept"] = ACCEPT
        request_headers.setdefault("x-github-api-version", API_VERSION)
        refused: str | None = None
        attempt = 0
        may_repeat = repeatable(method, url)
        while True:
            attempt += 1
            if self.credentials is not None:
                request_headers["authorization"] = await self.credentials.authorization(stale=refused)
            try:
                response = await self._http.request(method, url, headers=request_headers, content=body or None)
            except httpx.TransportError as exc:
                await self._record("error", None)
                if attempt >= self.policy.attempts or not (may_repeat or isinstance(exc, _NOT_SENT)):
                    raise GitHubUnavailable(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
                await self.sleep(self.policy.backoff(attempt))
                continue
            status = response.status_code
            await self._record(str(status), response.headers)
            if status == 401 and self.credentials is not None and refused is None:
                refused = request_headers["authorization"]
                continue
            if status >= 500 and attempt < self.policy.attempts and may_repeat:
                await self.sleep(self.policy.backoff(attempt))
                continue
            wait = rate_limit_wait(status, response.headers, response.content, self._clock())
            if wait is not None:
                if wait > self.policy.max_rate_limit_wait or attempt >= self.policy.attempts:
                    raise RateLimited(wait, status)
                await self.sleep(wait)
                continue
            return response

    async def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, Mapping[str, str], bytes]:
        response = await self._send(method, url, headers, body)
        return response.status_code, response.headers, response.content

    @asynccontextmanager
    async def open_download(
        self,
        url: str,
        url_vars: Mapping[str, variable.VariableValue] | None = None,
        *,
        max_bytes: int,
        accept: str = sansio.accept_format(),
    ) -> AsyncIterator[DownloadStream]:
        """Stream an endpoint that answers 302 to a short-lived storage link (job logs, run logs, artifacts).

        The redirect is followed at once and without our Authorization header. 404/410 (logs expired or gone)
        raise gidgethub's ``BadRequest`` like any API call; 5xx and network errors are retried.
        """
        filled = sansio.format_url(url, url_vars or {}, base_url=self.base_url)
        headers = sansio.create_headers(self.requester, accept=accept)
        attempt = 0
        while True:
            attempt += 1
            api = await self._send("GET", filled, headers, b"")
            if api.status_code == 200:  # served directly (some GHES setups): already in memory
                yield DownloadStream(_single(api.content), max_bytes, api.headers.get("content-type"))
                return
            if api.status_code not in REDIRECTS or "location" not in api.headers:
                sansio.decipher_response(api.status_code, api.headers, api.content)  # raises the usual errors
                raise DownloadFailed(api.status_code)
            location = urllib.parse.urljoin(filled, api.headers["location"])
            request = self._http.build_request("GET", location, headers={"user-agent": self.requester})
            try:
                blob = await self._http.send(request, stream=True, follow_redirects=True)
            except httpx.TransportError as exc:
                if attempt >= self.policy.attempts:
                    raise GitHubUnavailable(f"GET {location.split('?', 1)[0]}: {type(exc).__name__}") from exc
                await self.sleep(self.policy.backoff(attempt))
                continue
            if blob.status_code >= 500 and attempt < self.policy.attempts:
                await blob.aclose()
                await self.sleep(self.policy.backoff(attempt))
                continue
            try:
                if blob.status_code != 200:
                    raise DownloadFailed(blob.status_code)
                yield DownloadStream(blob.aiter_bytes(), max_bytes, blob.headers.get("content-type"))
                return
            finally:
                await blob.aclose()

    async def download(
        self,
        url: str,
        url_vars: Mapping[str, variable.VariableValue] | None = None,
        *,
        max_bytes: int,
        accept: str = sansio.accept_format(),
    ) -> Download:
        """The whole (capped) content of a redirected download; ``truncated`` if the cap cut it."""
        parts: list[bytes] = []
        async with self.open_download(url, url_vars, max_bytes=max_bytes, accept=accept) as stream:
            async for chunk in stream:
                parts.append(chunk)
        return Download(b"".join(parts), stream.truncated, stream.content_type)


async def _single(content: bytes) -> AsyncIterator[bytes]:
    yield content
