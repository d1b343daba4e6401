"""``GET /api/runs``: CI runs (GitHub Actions and ingested), newest first."""

from __future__ import annotations

from storage import browse

from . import schemas as s
from .call import BRANCH, CURSOR, JSON, LIMIT, REPOSITORY, Call, cursor_after, page, repository_ids
from .openapi import Operation, Param


async def list_runs(call: Call) -> JSON:
    p = call.params
    rows = await browse.runs(
        call.deps.pool, call.scope, repository_ids=await repository_ids(call), branch=p["branch"],
        conclusion=p["conclusion"], after=cursor_after(call), limit=p["limit"] + 1,
    )
    return page(rows, p["limit"], "finishedAt")


def operations() -> list[Operation]:
    return [
        Operation("GET", "/api/runs", "listRuns", "CI runs, newest first", list_runs, "runs", s.page("Run"),
                  params=(REPOSITORY, BRANCH,
                          Param("conclusion", {"type": "string", "enum": ["success", "failure"]}, "Outcome."),
                          CURSOR, LIMIT)),
    ]
