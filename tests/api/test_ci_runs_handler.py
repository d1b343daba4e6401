"""GitHub Actions runs counted for the health metrics: workflow_run.completed -> ci_runs (source github)."""

from __future__ import annotations

import uuid

import pytest
from gidgethub.sansio import Event

from githubapp.deps import Deps
from githubapp.handlers.ci_runs import on_completed
from tests.unit.githubapp.handlers.test_ci_runs import completed

from .conftest import asgi_client, new_key, seed_installation


async def test_github_runs_feed_failure_rate_and_recovery(deps: Deps) -> None:
    installation = 7_000_000 + int(uuid.uuid4().int % 1_000_000)
    repo = installation * 10
    await seed_installation(deps, installation, "gh-org", {repo: "gh-org/app"})
    key, _ = await new_key(deps, installation)
    runs = [(101, "failure", "2026-11-20T10:00:00Z"), (102, "failure", "2026-11-20T11:00:00Z"),
            (103, "success", "2026-11-20T13:00:00Z"), (104, "cancelled", "2026-11-20T14:00:00Z")]
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    for run_id, conclusion, _ in runs:
        started = (now - timedelta(hours=10 - run_id % 100)).isoformat().replace("+00:00", "Z")
        updated = (now - timedelta(hours=10 - run_id % 100, minutes=-10)).isoformat().replace("+00:00", "Z")
        event = Event(completed(installation, repo, run_id, conclusion, started=started, updated=updated),
                      event="workflow_run", delivery_id=str(uuid.uuid4()))
        await on_completed(event, None, deps=deps)
        await on_completed(event, None, deps=deps)  # a redelivery records nothing more
    async with asgi_client(deps) as client:
        listed = (await client.get("/api/runs", headers={"x-api-key": key})).json()["items"]
        assert [(r["source"], r["clientId"], r["conclusion"]) for r in listed] == [
            ("github", "103:1", "success"), ("github", "102:1", "failure"), ("github", "101:1", "failure")]
        assert listed[0]["durationSeconds"] == 600.0
        metrics = (await client.get("/api/metrics", params={"repository": "gh-org/app"},
                                    headers={"x-api-key": key})).json()
    assert metrics["runs"] == 3 and metrics["failureRate"] == pytest.approx(2 / 3)
    assert metrics["timeToRecovery"]["episodes"] == 1
    assert metrics["timeToRecovery"]["medianSeconds"] == pytest.approx(2 * 3600)
