"""Delivery to a Slack incoming webhook and to an SMTP server."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
import httpx


class NotificationError(Exception):
    """A notification could not be delivered; ``channel`` says which."""

    def __init__(self, channel: str, message: str) -> None:
        super().__init__(f"{channel}: {message}")
        self.channel = channel


@dataclass(frozen=True)
class SmtpTarget:
    hostname: str
    port: int
    use_tls: bool  # smtps://: TLS from the first byte; smtp:// upgrades with STARTTLS when offered
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        """``smtp://user:pass@host:port`` or ``smtps://...``; credentials URL-encoded."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, got {parts.scheme or 'no'} scheme")
        if not parts.hostname:
            raise ValueError("SMTP_URL has no host")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("SMTP_URL has an invalid port") from None
        tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname,
            port=port or (465 if tls else 587),
            use_tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


async def send_slack(
    http: httpx.AsyncClient, webhook_url: str, payload: dict[str, Any], *, request_timeout: float = 10.0
) -> None:
    try:
        response = await http.post(webhook_url, json=payload, timeout=request_timeout)
    except httpx.HTTPError as exc:
        raise NotificationError("slack", f"request failed: {type(exc).__name__}") from None
    if response.status_code >= 300:
        # The webhook URL is a secret: never echo it; Slack's short error text is enough.
        raise NotificationError("slack", f"HTTP {response.status_code}: {response.text[:200]}")


async def send_email(target: SmtpTarget, message: EmailMessage, *, request_timeout: float = 15.0) -> None:
    try:
        await aiosmtplib.send(
            message,
            hostname=target.hostname,
            port=target.port,
            use_tls=target.use_tls,
            username=target.username,
            password=target.password,
            timeout=request_timeout,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise NotificationError("email", f"{type(exc).__name__}: {exc}") from None
