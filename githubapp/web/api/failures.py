"""``GET /api/failures`` (filtered, newest first) and ``GET /api/failures/{failure_id}``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from storage import browse
from storage.browse import FailureFilter

from . import schemas as s
from .call import BRANCH, CURSOR, ID_SCHEMA, JSON, LIMIT, REPOSITORY, Call, cursor_after, page, repository_ids
from .errors import not_found
from .openapi import FieldError, Operation, Param, ValidationFailed

KINDS = ["test", "compile", "type", "lint", "dependency", "infra", "crash", "timeout", "config", "unknown"]


def failure_filter(params: dict[str, Any], repository_ids: list[int] | None) -> FailureFilter:
    since, until = params.get("since"), params.get("until")
    if since and until and since >= until:
        raise ValidationFailed([FieldError("until", "must be later than since")])
    return FailureFilter(
        repository_ids=repository_ids, branch=params.get("branch"), kind=params.get("kind"), since=since,
        until=until, pattern_id=params.get("pattern"), verdict=params.get("verdict"),
    )


async def list_failures(call: Call) -> JSON:
    p = call.params
    where = failure_filter(p, await repository_ids(call))
    if p.get("run") is not None:
        key = await browse.run_key(call.deps.pool, call.scope, p["run"])
        if key is None:
            return {"items": [], "nextCursor": None}
        where = replace(where, run_id=key[0], run_attempt=key[1])
    rows = await browse.failures(call.deps.pool, call.scope, where, after=cursor_after(call), limit=p["limit"] + 1)
    return page(rows, p["limit"], "seenAt")


async def get_failure(call: Call) -> JSON:
    found = await browse.failure(call.deps.pool, call.scope, call.params["failure_id"])
    if found is None:
        raise not_found("failure")
    return found


def operations() -> list[Operation]:
    return [
        Operation("GET", "/api/failures", "listFailures", "Failures, newest first", list_failures, "failures",
                  s.page("Failure"),
                  params=(REPOSITORY, BRANCH,
                          Param("kind", {"type": "string", "enum": KINDS}, "Failure kind."),
                          Param("since", {"type": "string", "format": "date-time"}, "Seen at or after."),
                          Param("until", {"type": "string", "format": "date-time"}, "Seen before."),
                          Param("pattern", ID_SCHEMA, "Pattern id."),
                          Param("verdict", {"type": "string", "enum": ["new", "pre-existing", "flaky", "infra"]},
                                "Whose fault: only failures given this verdict."),
                          Param("run", ID_SCHEMA, "A run id of /api/runs."),
                          CURSOR, LIMIT)),
        Operation("GET", "/api/failures/{failure_id}", "getFailure", "One failure with excerpt, match and links",
                  get_failure, "failures", s.ref("FailureDetail"),
                  params=(Param("failure_id", ID_SCHEMA, "Failure id.", where="path"),)),
    ]
