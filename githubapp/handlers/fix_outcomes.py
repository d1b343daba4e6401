"""workflow_run.completed: the runs on a commit ci-triage made tell whether its fix worked."""

from __future__ import annotations

import logging
from typing import Any

from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router
from gidgethub.sansio import Event

from storage.fixes import record_fix_outcomes

from ..conclusions import FAILED_RUN, PASSED
from ..deps import Deps

log = logging.getLogger("ci_triage.fixes.outcomes")
router = Router()



@router.register("workflow_run", action="completed")
async def on_run_completed(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    run = event.data["workflow_run"]
    conclusion = run.get("conclusion")
    installation_id = (event.data.get("installation") or {}).get("id")
    if conclusion not in PASSED | FAILED_RUN or installation_id is None:
        return  # cancelled, skipped, neutral: says nothing about the fix; no installation: not ours to record
    marked = await record_fix_outcomes(
        deps.pool,
        int(installation_id),
        int(event.data["repository"]["id"]),
        run["head_sha"],
        conclusion in PASSED,
    )
    if marked:
        log.info("fix outcome recorded", extra={"fields": {"head_sha": run["head_sha"], "conclusion": conclusion}})
