"""API-key authentication for ``/api/...``: ``Authorization: Bearer <key>`` or ``x-api-key: <key>``.

Keys are looked up by their prefix and compared by sha256 in constant time (``storage.api_keys``); the key
itself is never stored or logged. The one policy: a missing, unknown or revoked key gets the same ``401`` (with
``WWW-Authenticate: Bearer``), so an answer never tells which keys exist; a live key without the operation's
scope gets ``403 insufficient_scope`` (``endpoint``).
"""

from __future__ import annotations

from starlette.requests import Request

from storage.api_keys import ApiKey
from storage.api_keys import authenticate as find_key

from .errors import ApiError
from .principal import Principal

UNAUTHORIZED_MESSAGE = "a valid API key is required (Authorization: Bearer KEY or x-api-key: KEY)"


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def presented_key(request: Request) -> str | None:
    api_key = request.headers.get("x-api-key", "").strip()
    return bearer_token(request) or api_key or None


async def request_api_key(request: Request) -> ApiKey | None:
    secret = presented_key(request)
    if secret is None:
        return None
    key: ApiKey | None = await find_key(request.app.state.deps.pool, secret)
    return key


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", UNAUTHORIZED_MESSAGE, {"WWW-Authenticate": 'Bearer realm="ci-triage"'})


async def authenticate(request: Request) -> Principal:
    """The API key's principal: its installation, every repository of it, and its scopes."""
    key = await request_api_key(request)
    if key is None:
        raise unauthorized()
    return Principal(kind="key", actor=f"api-key:{key.id}", installations=(key.installation_id,), key_id=key.id,
                     scopes=key.scopes)
