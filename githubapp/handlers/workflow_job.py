"""workflow_job.completed with a failure: triage that job at once while the rest of the run goes on."""

from __future__ import annotations

from typing import Any

from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router
from gidgethub.sansio import Event

from ..deps import Deps
from ..pipeline.triggers import decide_job, job_job_id, job_run_ref

router = Router()


@router.register("workflow_job", action="completed")
async def on_completed(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    if not decide_job(event.data):
        return
    ref = job_run_ref(event.data)
    job_id = int(event.data["workflow_job"]["id"])
    await deps.queue.enqueue_job("triage_job", ref.as_job_arg(), job_id, _job_id=job_job_id(ref, job_id))
