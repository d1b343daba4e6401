"""workflow_run.completed -> the ci_runs row it records (githubapp/handlers/ci_runs.py): which conclusions count."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from githubapp.handlers.ci_runs import run_from_event
from tests.support.payloads import load_payload


def completed(installation: int, repository: int, run_id: int, conclusion: str, *, attempt: int = 1,
              started: str = "2026-11-20T10:00:00Z", updated: str = "2026-11-20T10:12:30Z",
              branch: str = "main") -> dict[str, Any]:
    payload = copy.deepcopy(load_payload("workflow_run", "completed"))
    payload["installation"] = {"id": installation}
    payload["repository"]["id"] = repository
    run = payload["workflow_run"]
    run.update(id=run_id, run_attempt=attempt, conclusion=conclusion, head_branch=branch,
               run_started_at=started, updated_at=updated)
    return payload


@pytest.mark.parametrize(
    ("conclusion", "recorded"),
    [("success", "success"), ("failure", "failure"), ("timed_out", "failure"), ("startup_failure", "failure"),
     ("cancelled", None), ("skipped", None), ("neutral", None)],
)
def test_run_from_event_counts_only_conclusions_about_health(conclusion: str, recorded: str | None) -> None:
    run = run_from_event(completed(1, 2, 3, conclusion))
    assert (run.conclusion if run else None) == recorded
    if run is not None:
        assert run.client_id == "3:1" and run.duration_seconds == 750.0 and run.branch == "main"


def test_run_from_event_needs_an_installation_and_a_completed_run() -> None:
    payload = completed(1, 2, 3, "failure")
    del payload["installation"]
    assert run_from_event(payload) is None
    payload = completed(1, 2, 3, "failure")
    payload["workflow_run"]["status"] = "in_progress"
    assert run_from_event(payload) is None

