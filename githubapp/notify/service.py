"""Send the notifications a repository asked for. Never raises: failures are logged and counted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol

import httpx

from ..observability.logs import redact
from ..pipeline.config import Notifications
from ..report.model import TriageReport
from ..settings import Settings
from .messages import Links, email_message, should_notify, slack_payload
from .senders import NotificationError, SmtpTarget, send_email, send_slack

log = logging.getLogger("ci_triage.notify")


class Counts(Protocol):
    """The metrics recorder (``githubapp.observability.metrics.Metrics``)."""

    async def incr(self, name: str, by: int = 1, **labels: object) -> None: ...


@dataclass(frozen=True)
class Outcome:
    channel: str
    ok: bool
    detail: str = ""


async def notify(
    report: TriageReport,
    wanted: Notifications,
    *,
    settings: Settings,
    http: httpx.AsyncClient,
    links: Links,
    metrics: Counts | None = None,
) -> list[Outcome]:
    if not should_notify(report, wanted.when):
        return []
    outcomes: list[Outcome] = []
    if wanted.slack:
        if not settings.slack_webhook_url:
            outcomes.append(Outcome("slack", False, "SLACK_WEBHOOK_URL is not set"))
        else:
            outcomes.append(
                await _attempt("slack", send_slack(http, settings.slack_webhook_url, slack_payload(report, links)))
            )
    if wanted.email:
        if not (settings.smtp_url and settings.mail_from):
            outcomes.append(Outcome("email", False, "SMTP_URL and MAIL_FROM must both be set"))
        else:
            try:
                target = SmtpTarget.from_url(settings.smtp_url)
                message = email_message(report, links, sender=settings.mail_from, recipients=wanted.email)
            except ValueError as exc:
                outcomes.append(Outcome("email", False, str(exc)))
            else:
                outcomes.append(await _attempt("email", send_email(target, message)))
    for outcome in outcomes:
        if metrics is not None:
            await metrics.incr(
                "ci_triage_notifications_total", channel=outcome.channel, outcome="sent" if outcome.ok else "failed"
            )
        if not outcome.ok:
            log.warning(
                "notification failed",
                extra={
                    "fields": {
                        "metric": "ci_triage_notification_failures_total",
                        "channel": outcome.channel,
                        "error": redact(outcome.detail),
                    }
                },
            )
    return outcomes


async def _attempt(channel: str, sending: Awaitable[None]) -> Outcome:
    try:
        await sending
    except NotificationError as exc:
        return Outcome(channel, False, str(exc))
    except Exception as exc:  # a notification must never fail triage
        return Outcome(channel, False, f"unexpected {type(exc).__name__}")
    return Outcome(channel, True)
