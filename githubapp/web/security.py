"""Security headers on every response, as plain ASGI middleware (it must not buffer server-sent events).

The policy allows no inline style or script (styles live in ``/static/dashboard.css``). Forms may post to this
site and to GitHub's origin only: the setup page's form sends the App manifest to ``{GITHUB_URL}/settings/apps/new``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
)


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, or None when it is not an http(s) URL (never a wildcard)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def content_security_policy(form_origin: str | None = None) -> str:
    allowed = origin(form_origin) if form_origin else None
    return _CSP.format(form_action=f"'self' {allowed}" if allowed else "'self'")


_OTHER_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool = False, form_origin: str | None = None) -> None:
        self.app = app
        headers = ((b"content-security-policy", content_security_policy(form_origin).encode()), *_OTHER_HEADERS)
        self.headers = (*headers, (b"strict-transport-security", b"max-age=31536000")) if hsts else headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
