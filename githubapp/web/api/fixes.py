"""Fixes in the API (``/api/fixes``): the queue of suggested fixes, and approve/reject under the same rules as the
`/triage approve` comment command (``githubapp.web.fix_actions``, shared with the dashboard)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from storage import fix_queue

from .. import fix_actions
from . import schemas as s
from .call import Call
from .errors import not_found
from .openapi import Operation, Param

JSON = dict[str, Any]
STATUSES = ["suggested", "applied", "suggested_in_review", "rejected", "failed"]
FIX_ID = Param("fix_id", {"type": "string", "pattern": "^[0-9a-f]{8}$"}, "Fix id (8 hex digits).", where="path")


async def list_fixes(call: Call) -> JSON:
    rows = await fix_queue.fixes(call.deps.pool, call.scope, status=call.params["status"], limit=call.params["limit"])
    return {"items": rows, "nextCursor": None}


def _decider(decision: str) -> Callable[[Call], Awaitable[JSON]]:
    async def decide(call: Call) -> JSON:
        found = await fix_queue.fix(call.deps.pool, call.scope, call.params["fix_id"])
        if found is None:
            raise not_found("fix")
        reason = (call.body or {}).get("reason")
        diff_hash = (call.body or {}).get("diffHash")
        outcome = await fix_actions.decide(call.deps, call.principal, found, decision, reason=reason,
                                           diff_hash=diff_hash)
        fix = await fix_queue.fix(call.deps.pool, call.scope, call.params["fix_id"])
        return {"result": outcome.notice, "message": outcome.message, "fix": fix or found}

    return decide


DECISION = s.obj({"result": {"type": "string", "enum": sorted(fix_actions.NOTICES)}, "message": s.STR,
                  "fix": s.ref("Fix")})


def operations() -> list[Operation]:
    listing = [
        Operation(
            "GET", "/api/fixes", "listFixes", "Suggested fixes, newest first", list_fixes, "fixes", s.page("Fix"),
            params=(
                Param("status", {"type": "string", "enum": STATUSES}, "Fix status."),
                Param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Page size."),
            ),
        ),
    ]
    return [
        *listing,
        Operation(
            "POST", "/api/fixes/{fix_id}/approve", "approveFix", "Approve a fix: it is committed to the PR branch",
            _decider("approve"), "fixes", DECISION, params=(FIX_ID,), scope="fixes:write",
            body=s.obj({"diffHash": {"type": "string", "pattern": "^[0-9a-f]{7,64}$",
                                     "description": "The fix's `diffHash`: what is approved is the diff you read."}},
                       required=["diffHash"]),
            description="The same rules as `/triage approve <id> <hash>`; `result` says what happened (`approved`, "
            "or `refused` / `failed` with the reason in `message`). A `diffHash` that is not the fix's is refused.",
        ),
        Operation(
            "POST", "/api/fixes/{fix_id}/reject", "rejectFix", "Reject a fix", _decider("reject"), "fixes",
            DECISION, params=(FIX_ID,),
            body=s.obj({"reason": {"type": "string", "maxLength": 500}}, required=[]), optional_body=True,
            scope="fixes:write",
        ),
    ]
