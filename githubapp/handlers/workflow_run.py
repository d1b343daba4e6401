"""workflow_run.completed: a failed run is triaged; a passing one may resolve an earlier failure."""

from __future__ import annotations

from typing import Any

from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router
from gidgethub.sansio import Event

from ..deps import Deps
from ..pipeline.triggers import decide_run, passed_job_id, run_job_id, run_ref

router = Router()


@router.register("workflow_run", action="completed")
async def on_completed(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    decision = decide_run(event.data)
    if decision == "ignore":
        return
    ref = run_ref(event.data)
    if decision == "triage":
        await deps.queue.enqueue_job("triage_run", ref.as_job_arg(), _job_id=run_job_id(ref))
    else:
        await deps.queue.enqueue_job("record_passing_run", ref.as_job_arg(), _job_id=passed_job_id(ref))
