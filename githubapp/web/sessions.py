"""Signed session cookies (HMAC with a key derived from the app's secret key) and CSRF tokens for forms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response

from storage import web_sessions
from storage.web_sessions import WebSession

from ..deps import Deps
from ..secret_key import derived_key
from .api.principal import Principal

COOKIE = "ci_triage_session"
STATE_COOKIE = "ci_triage_oauth_state"


def sign(deps: Deps, purpose: str, value: str) -> str:
    mac = hmac.new(derived_key(deps.settings, purpose), value.encode(), hashlib.sha256).digest()
    return f"{value}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(deps: Deps, purpose: str, signed: str | None) -> str | None:
    if not signed or "." not in signed or len(signed) > 512:
        return None
    value = signed.rsplit(".", 1)[0]
    return value if hmac.compare_digest(sign(deps, purpose, value), signed) else None


def secure_cookies(deps: Deps) -> bool:
    return deps.settings.public_url.startswith("https://")


async def start_session(
    deps: Deps,
    response: Response,
    *,
    user_id: int,
    login: str,
    installations: Sequence[int],
    repositories: Sequence[int],
    writable: Sequence[int] = (),
) -> str:
    """Store a new session and set its cookie; returns the session id (tests use it to sign in)."""
    session_id = secrets.token_urlsafe(32)
    ttl = deps.settings.session_ttl_seconds
    await web_sessions.create(
        deps.pool, session_id, user_id=user_id, login=login, installations=installations,
        repositories=repositories, csrf_token=secrets.token_urlsafe(24), ttl_seconds=ttl, writable=writable,
    )
    response.set_cookie(
        COOKIE, sign(deps, "session", session_id), max_age=ttl, httponly=True, samesite="lax",
        secure=secure_cookies(deps), path="/",
    )
    return session_id


async def current_session(deps: Deps, request: Request) -> WebSession | None:
    session_id = unsign(deps, "session", request.cookies.get(COOKIE))
    return await web_sessions.load(deps.pool, session_id) if session_id else None


async def end_session(deps: Deps, request: Request, response: Response) -> None:
    session_id = unsign(deps, "session", request.cookies.get(COOKIE))
    if session_id:
        await web_sessions.delete(deps.pool, session_id)
    response.delete_cookie(COOKIE, path="/")


def principal_of(session: WebSession) -> Principal:
    return Principal(
        kind="user", actor=session.login, installations=session.installations,
        repositories=session.repositories, user_id=session.user_id, writable=session.writable,
    )


def csrf_ok(session: WebSession, submitted: object) -> bool:
    return isinstance(submitted, str) and hmac.compare_digest(session.csrf_token.encode(), submitted.encode())
