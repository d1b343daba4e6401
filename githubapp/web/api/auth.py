"""API-key authentication for ``/api/...``: ``Authorization: Bearer <key>`` or ``x-api-key: <key>``.

Keys are looked up by their prefix and compared by sha256 in constant time (``storage.api_keys``); the key
itself is never stored or logged. Use ``api_key_required`` on endpoints: they receive the ``ApiKey``, whose
``installation_id`` scopes every query they make.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from storage.api_keys import ApiKey, authenticate

Endpoint = Callable[[Request, ApiKey], Awaitable[Response]]


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def presented_key(request: Request) -> str | None:
    api_key = request.headers.get("x-api-key", "").strip()
    return bearer_token(request) or api_key or None


def unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"error": "unauthorized", "message": message},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="ci-triage"'},
    )


async def request_api_key(request: Request) -> ApiKey | None:
    secret = presented_key(request)
    if secret is None:
        return None
    key: ApiKey | None = await authenticate(request.app.state.deps.pool, secret)
    return key


def api_key_required(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """Any live key may read; other methods need the ``ingest`` scope (snapshots are sent like test runs)."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        if presented_key(request) is None:
            return unauthorized("send an API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'")
        key = await request_api_key(request)
        if key is None:
            return unauthorized("unknown or revoked API key")
        scope = "read" if request.method in ("GET", "HEAD") else "ingest"
        if not key.allows(scope):
            return JSONResponse(
                {"error": "insufficient_scope", "message": f"this API key lacks the {scope!r} scope"},
                status_code=403,
            )
        return await endpoint(request, key)

    return wrapper
