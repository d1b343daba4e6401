"""Fixes in the API: the queue of suggested fixes, and approve/reject under the same authorization as the
`/triage approve` comment command (the fixes feature's service decides; this module only exposes it)."""

from __future__ import annotations

from typing import Any

from storage import fix_queue

from . import schemas as s
from .openapi import Operation, Param

JSON = dict[str, Any]
STATUSES = ["suggested", "applied", "suggested_in_review", "rejected", "failed"]


async def list_fixes(call: Any) -> JSON:
    rows = await fix_queue.fixes(call.deps.pool, call.scope, status=call.params["status"], limit=call.params["limit"])
    return {"items": rows, "nextCursor": None}


def operations() -> list[Operation]:
    return [
        Operation(
            "GET", "/api/fixes", "listFixes", "Suggested fixes, newest first", list_fixes, "fixes", s.page("Fix"),
            params=(
                Param("status", {"type": "string", "enum": STATUSES}, "Fix status."),
                Param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Page size."),
            ),
        ),
    ]
