"""Slack and email notifications against local servers; a failure never raises."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from githubapp.notify.messages import Links, should_notify, slack_payload
from githubapp.notify.senders import SmtpTarget
from githubapp.notify.service import notify
from githubapp.pipeline.config import Notifications
from githubapp.report.model import Verdict
from githubapp.settings import Settings
from tests.support.receivers import http_receiver, smtp_server
from tests.support.report_factories import report, triaged

LINKS = Links(
    check_run="https://github.com/o/r/runs/1",
    pull_request="https://github.com/o/r/pull/2",
    run="https://github.com/o/r/actions/runs/3",
)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, object]]] = []

    async def incr(self, name: str, by: int = 1, **labels: object) -> None:
        self.calls.append((name, labels))


@pytest.fixture
async def http():  # type: ignore[no-untyped-def]
    import httpx

    async with httpx.AsyncClient() as client:
        yield client


def test_slack_payload_escapes_and_links() -> None:
    payload = slack_payload(report(triaged(1, test_id="<!channel> & <@U1>")), LINKS)
    text = json.dumps(payload["blocks"], ensure_ascii=False)
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp; &lt;@\u200dU1&gt;" in text
    urls = [e["url"] for e in payload["blocks"][-1]["elements"]]
    assert urls == [LINKS.check_run, LINKS.pull_request, LINKS.run]
    assert payload["text"].startswith("octo-org/hello-world: CI #562 failed on feature (1 new)")


def test_a_hostile_branch_name_pings_nobody_in_slack_or_mail() -> None:
    # The branch name is the pusher's to choose: Slack's "text" (the alert line) escaped like the blocks,
    # the mail subject one line.
    from githubapp.notify.messages import email_message

    hostile = replace(report(triaged(1)).run, head_branch="x <!channel> <@U123> @here\r\nBcc: eve@evil.example")
    payload = slack_payload(replace(report(triaged(1)), run=hostile), LINKS)
    for text in (payload["text"], str(payload["blocks"])):
        assert "<!channel>" not in text and "<@U123>" not in text and "@here" not in text
    message = email_message(replace(report(triaged(1)), run=hostile), LINKS, sender="a@example.com",
                            recipients=("dev@example.com",))
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"] and message["Bcc"] is None


def test_when_new_skips_runs_with_only_known_failures() -> None:
    assert should_notify(report(triaged(1, Verdict.NEW)), "new")
    assert not should_notify(report(triaged(1, Verdict.PRE_EXISTING), triaged(2, Verdict.FLAKY)), "new")
    assert should_notify(report(triaged(1, Verdict.PRE_EXISTING)), "always")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://u%40x:p%3Aw@mail.example.com:2525",
            SmtpTarget("mail.example.com", 2525, False, "u@x", "p:w"),
        ),
        ("smtps://mail.example.com", SmtpTarget("mail.example.com", 465, True)),
        ("smtp://mail.example.com", SmtpTarget("mail.example.com", 587, False)),
    ],
)
def test_smtp_url(url: str, expected: SmtpTarget) -> None:
    assert SmtpTarget.from_url(url) == expected


def test_smtp_url_errors_do_not_echo_the_password() -> None:
    with pytest.raises(ValueError, match="smtp:// or smtps://") as info:
        SmtpTarget.from_url("http://user:hunter2@x")
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in repr(SmtpTarget.from_url("smtp://user:hunter2@x"))


async def test_slack_and_email_are_delivered(http) -> None:  # type: ignore[no-untyped-def]
    async with http_receiver() as slack:
        with smtp_server() as (port, mailbox):
            settings = Settings(
                slack_webhook_url=slack.url,
                smtp_url=f"smtp://127.0.0.1:{port}",
                mail_from="ci-triage@example.com",
            )
            wanted = Notifications(slack=True, email=("dev@example.com", "ops@example.com"))
            outcomes = await notify(report(triaged(1)), wanted, settings=settings, http=http, links=LINKS)
    assert [(o.channel, o.ok) for o in outcomes] == [("slack", True), ("email", True)]
    assert slack.requests[0]["method"] == "POST" and slack.requests[0]["json"]["blocks"]
    sender, recipients, message = mailbox.messages[0]
    assert sender == "ci-triage@example.com" and recipients == ["dev@example.com", "ops@example.com"]
    assert message["Subject"].startswith("[ci-triage] octo-org/hello-world: CI #562 failed")
    assert LINKS.check_run in message.get_payload()


async def test_failures_are_reported_not_raised(http, caplog) -> None:  # type: ignore[no-untyped-def]
    counted = Recorder()
    async with http_receiver() as slack:
        slack.status, slack.reply = 404, b"no_service"
        settings = Settings(slack_webhook_url=slack.url, smtp_url="smtp://127.0.0.1:1", mail_from="a@example.com")
        wanted = Notifications(slack=True, email=("dev@example.com",))
        outcomes = await notify(report(triaged(1)), wanted, settings=settings, http=http, links=LINKS, metrics=counted)
    assert [(o.channel, o.ok) for o in outcomes] == [("slack", False), ("email", False)]
    assert "HTTP 404: no_service" in outcomes[0].detail
    assert counted.calls == [
        ("ci_triage_notifications_total", {"channel": "slack", "outcome": "failed"}),
        ("ci_triage_notifications_total", {"channel": "email", "outcome": "failed"}),
    ]
    assert "secret" not in caplog.text  # the webhook URL path is a credential


async def test_unconfigured_channels_are_reported(http) -> None:  # type: ignore[no-untyped-def]
    wanted = Notifications(slack=True, email=("dev@example.com",))
    outcomes = await notify(report(triaged(1)), wanted, settings=Settings(), http=http, links=LINKS)
    assert [o.detail for o in outcomes] == [
        "SLACK_WEBHOOK_URL is not set",
        "SMTP_URL and MAIL_FROM must both be set",
    ]
    assert (
        await notify(report(triaged(1)), replace(wanted, when="new"), settings=Settings(), http=http, links=LINKS) != []
    )
    assert await notify(report(triaged(1, Verdict.FLAKY)), wanted, settings=Settings(), http=http, links=LINKS) == []
