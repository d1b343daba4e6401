"""Which deliveries start which job, from real webhook payload examples."""

from __future__ import annotations

from typing import Any

import pytest

from githubapp.pipeline.triggers import (
    RunRef,
    decide_job,
    decide_run,
    job_run_ref,
    run_job_id,
    run_ref,
)
from tests.support.payloads import load_payload

FAILED_RUN = "completed.failure.DERIVED-from-octokit-completed.with-pull-requests"


def with_installation(payload: dict[str, Any]) -> dict[str, Any]:
    payload["installation"] = {"id": 42, "node_id": "x"}
    return payload


@pytest.mark.parametrize(
    ("conclusion", "decision"),
    [
        ("failure", "triage"),
        ("timed_out", "triage"),
        ("startup_failure", "triage"),
        ("success", "passed"),
        ("cancelled", "ignore"),  # cancelled runs are not failures
        ("skipped", "ignore"),
        ("neutral", "ignore"),
        ("action_required", "ignore"),
    ],
)
def test_decide_run(conclusion: str, decision: str) -> None:
    payload = with_installation(load_payload("workflow_run", FAILED_RUN))
    payload["workflow_run"]["conclusion"] = conclusion
    assert decide_run(payload) == decision


def test_runs_without_installation_or_not_completed_are_ignored() -> None:
    assert decide_run(load_payload("workflow_run", FAILED_RUN)) == "ignore"  # not an App delivery
    requested = with_installation(load_payload("workflow_run", "requested"))
    assert decide_run(requested) == "ignore"


def test_run_ref_from_the_failure_payload() -> None:
    ref = run_ref(with_installation(load_payload("workflow_run", FAILED_RUN)))
    assert (ref.installation_id, ref.repo, ref.run_id, ref.attempt) == (42, "octo-org/octo-repo", 289782451, 1)
    assert ref.head_sha == "3484a3fb816e0859fd6e1cea078d76385ff50625"
    assert ref.workflow_id == 2823525 and ref.run_number == 163
    assert ref.actor == "Codertocat"  # who started the run: a passing one records it as who fixed the failure
    # The example's pull request belongs to another repository id: it is not this repository's PR.
    assert ref.pr_numbers == ()
    assert run_job_id(ref) == "triage:42:289782451:1"
    assert RunRef.from_job_arg(ref.as_job_arg()) == ref


def test_pull_requests_of_this_repository_are_kept() -> None:
    payload = with_installation(load_payload("workflow_run", FAILED_RUN))
    payload["workflow_run"]["pull_requests"][0]["base"]["repo"]["id"] = payload["repository"]["id"]
    assert run_ref(payload).pr_numbers == (2,)


def test_re_run_attempts_get_their_own_job_id() -> None:
    payload = with_installation(load_payload("workflow_run", FAILED_RUN))
    payload["workflow_run"]["run_attempt"] = 3
    assert run_job_id(run_ref(payload)).endswith(":3")


def test_failed_jobs_are_triaged_at_once() -> None:
    payload = with_installation(load_payload("workflow_job", "completed.failure.with-organization"))
    assert decide_job(payload)
    ref = job_run_ref(payload)
    assert (ref.run_id, ref.workflow_name) == (2202229078, "CodeQL")
    success = with_installation(load_payload("workflow_job", "completed.success.with-organization"))
    assert not decide_job(success)
