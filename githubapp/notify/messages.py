"""Pure builders for what Slack and mail receive. Branch names, workflow names and failure names are
untrusted: every one goes through ``githubapp.escaping`` (no ``<!channel>``, ``<@U…>``, links or header
injection)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from .. import escaping
from ..report.common import VERDICT_LABEL, counts, failure_name, group
from ..report.model import TriageReport, Verdict

MAX_LISTED = 5


@dataclass(frozen=True)
class Links:
    check_run: str | None = None
    pull_request: str | None = None
    run: str | None = None


def _slack_escape(text: str) -> str:
    return escaping.slack_text(text)


def headline(report: TriageReport) -> str:
    groups = group(report.failures)
    c = counts(groups)
    run = report.run
    label = f"#{run.run_number}" if run.run_number else str(run.run_id)
    where = f" on {run.head_branch}" if run.head_branch else ""
    if not groups:
        return f"{run.repo}: {run.workflow_name} {label} failed{where}"
    parts = ", ".join(f"{c[v]} {VERDICT_LABEL[v]}" for v in Verdict if c[v])
    return f"{run.repo}: {run.workflow_name} {label} failed{where} ({parts})"


def should_notify(report: TriageReport, when: str) -> bool:
    """``new``: only runs with at least one new failure (or nothing identified); ``always``: every failure."""
    if when == "always":
        return True
    if not report.failures:
        return True
    return any(f.verdict is Verdict.NEW and not f.quarantined for f in report.failures)


def _listed(report: TriageReport) -> list[str]:
    groups = group(report.failures)
    lines = [f"{VERDICT_LABEL[g.item.verdict]}: {failure_name(g.item)[:200]}" for g in groups[:MAX_LISTED]]
    if len(groups) > MAX_LISTED:
        lines.append(f"… and {len(groups) - MAX_LISTED} more")
    return lines


def slack_payload(report: TriageReport, links: Links) -> dict[str, Any]:
    text = headline(report)
    listed = "\n".join(f"• {_slack_escape(line)}" for line in _listed(report)) or "No failure could be extracted."
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_slack_escape(text)}*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": listed[:2900]}},
    ]
    buttons = [
        {"type": "button", "text": {"type": "plain_text", "text": label}, "url": url}
        for label, url in (
            ("Check run", links.check_run),
            ("Pull request", links.pull_request),
            ("Workflow run", links.run),
        )
        if url
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    # "text" is the notification's fallback (and what Slack shows in alerts): escaped like the blocks.
    return {"text": _slack_escape(text), "blocks": blocks}


def _header_safe(text: str) -> str:
    return escaping.mail_header(text)


def email_message(report: TriageReport, links: Links, *, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _header_safe(f"[ci-triage] {headline(report)}")
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    body = [headline(report), "", *_listed(report), ""]
    for label, url in (
        ("Check run", links.check_run),
        ("Pull request", links.pull_request),
        ("Workflow run", links.run),
    ):
        if url:
            body.append(f"{label}: {url}")
    message.set_content(escaping.mail_text("\n".join(body)) + "\n")
    return message
