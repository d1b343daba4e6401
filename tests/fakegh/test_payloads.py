"""Webhook payload examples and signatures."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.support.payloads import all_payloads, load_payload, sign


def test_load_by_short_name_and_from_extra() -> None:
    assert load_payload("workflow_run", "completed")["action"] == "completed"
    derived = load_payload(
        "workflow_run", "completed.failure.DERIVED-from-octokit-completed.with-pull-requests")
    assert derived["workflow_run"]["conclusion"] == "failure"
    pr_comment = load_payload("issue_comment", "created.on-pull-request.flutter-cocoon")
    assert "pull_request" in pr_comment["issue"]


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(FileNotFoundError, match=r"completed\.with-pull-requests"):
        load_payload("workflow_run", "nope")


def test_all_payloads_covers_every_event() -> None:
    seen = list(all_payloads())
    events = {event for event, _, _ in seen}
    assert {"workflow_run", "check_run", "issue_comment", "installation", "ping"} <= events
    assert all(isinstance(payload, dict) for _, _, payload in seen)
    assert ("issue_comment", "created.on-pull-request.flutter-cocoon") in {(e, n) for e, n, _ in seen}


def test_sign_matches_githubs_scheme() -> None:
    body = b'{"zen": "Keep it logically awesome."}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign(body, "s3cret") == f"sha256={expected}"
