"""``workflow_run.completed`` events: one ``ci_runs`` row per run attempt (source github), so the run failure
rate, time to recovery and time lost are measured for GitHub Actions as for other CI systems. The pure part is
``run_from_event``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gidgethub.routing import Router
from gidgethub.sansio import Event

from storage import ci_runs

from ..conclusions import FAILED_RUN, PASSED
from ..deps import Deps

router = Router()

COUNTED = FAILED_RUN | PASSED  # cancelled, skipped, neutral, action_required say nothing about health


@dataclass(frozen=True)
class GitHubRun:
    installation_id: int
    repository_id: int
    client_id: str  # "<run id>:<attempt>"
    branch: str | None
    head_sha: str | None
    conclusion: str  # success | failure
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return max((self.finished_at - self.started_at).total_seconds(), 0.0)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def run_from_event(payload: dict[str, Any]) -> GitHubRun | None:
    """The run to record, or None (not completed, a conclusion that says nothing, or no installation)."""
    run = payload.get("workflow_run") or {}
    installation = (payload.get("installation") or {}).get("id")
    repository = (payload.get("repository") or {}).get("id")
    if run.get("status") != "completed" or run.get("conclusion") not in COUNTED or not installation or not repository:
        return None
    return GitHubRun(
        installation_id=int(installation),
        repository_id=int(repository),
        client_id=f"{run['id']}:{run.get('run_attempt') or 1}",
        branch=run.get("head_branch"),
        head_sha=run.get("head_sha"),
        conclusion="failure" if run["conclusion"] in FAILED_RUN else "success",
        started_at=_time(run.get("run_started_at")) or _time(run.get("created_at")),
        finished_at=_time(run.get("updated_at")),
    )


@router.register("workflow_run", action="completed")
async def on_completed(event: Event, gh: Any, *, deps: Deps, **_: Any) -> None:
    run = run_from_event(event.data)
    if run is None:
        return
    await ci_runs.insert_run(  # a redelivery inserts nothing (unique client id per source)
        deps.pool, run.installation_id, run.repository_id, source="github", client_id=run.client_id,
        ci="github-actions", branch=run.branch, commit_sha=run.head_sha, conclusion=run.conclusion,
        failed_tests=0, duration_seconds=run.duration_seconds, started_at=run.started_at,
        finished_at=run.finished_at, snapshot_links=[], request_sha256=None,
    )
