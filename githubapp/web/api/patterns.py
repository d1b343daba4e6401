"""Failure patterns: list, search by text, one with its members and timeline, and the write actions (mute,
pin, activate, merge), which a dashboard user may take only with write permission on what they touch."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from storage import browse
from storage.browse import FailureFilter

from . import schemas as s
from .call import CURSOR, ID_SCHEMA, JSON, LIMIT, Call, cursor_after, page
from .errors import ApiError, not_found
from .openapi import FieldError, Operation, Param, ValidationFailed

PATTERN_ID = Param("pattern_id", ID_SCHEMA, "Pattern id.", where="path")


async def list_patterns(call: Call) -> JSON:
    p = call.params
    rows = await browse.patterns(
        call.deps.pool, call.scope, status=p["status"], after=cursor_after(call), limit=p["limit"] + 1
    )
    return page(rows, p["limit"], "lastSeen")


async def get_pattern(call: Call) -> JSON:
    pattern_id = call.params["pattern_id"]
    found = await browse.pattern(call.deps.pool, call.scope, pattern_id)
    if found is None:
        raise not_found("pattern")
    members = await browse.failures(
        call.deps.pool, call.scope, FailureFilter(pattern_id=pattern_id), after=None, limit=50
    )
    timeline = await browse.pattern_timeline(call.deps.pool, call.scope, pattern_id, days=30)
    return {"pattern": found, "members": members, "timeline": timeline}


async def search_patterns(call: Call) -> JSON:
    history = call.deps.services.history
    if history is None:
        raise ApiError(503, "unavailable", "pattern history is not available")
    p = call.params
    hits: list[dict[str, Any]] = []
    for installation_id in call.principal.installations:
        for hit in await history.search(installation_id, p["q"], top_k=p["top_k"], threshold=p["threshold"]):
            if not math.isfinite(hit.similarity):
                continue  # a text without any token embeds to the zero vector: cosine is undefined (NaN)
            visible = call.principal.repositories is None or any(
                call.principal.sees_repository(installation_id, r) for r in hit.repositories
            )
            if visible:
                hits.append(
                    {
                        "patternId": hit.pattern_id,
                        "installationId": installation_id,
                        "similarity": float(hit.similarity),
                        "title": hit.title,
                        "kind": hit.kind,
                        "occurrences": hit.occurrences,
                        "lastSeen": hit.last_seen.isoformat(),
                        "status": hit.status,
                    }
                )
    hits.sort(key=lambda h: (-h["similarity"], h["patternId"]))
    return {"items": hits[: p["top_k"]], "nextCursor": None}


async def require_write(call: Call, installation_id: int, pattern_ids: list[int]) -> None:
    """Pattern write actions need write permission on every repository the patterns touch (users)."""
    touched = await browse.pattern_repositories(call.deps.pool, installation_id, pattern_ids)
    if not call.principal.may_change(touched):
        raise ApiError(403, "forbidden", "changing this pattern needs write permission on every repository it "
                       "touches")


def _status_setter(status: str) -> Callable[[Call], Awaitable[JSON]]:
    async def set_status(call: Call) -> JSON:
        pattern_id = call.params["pattern_id"]
        installation_id = await browse.pattern_installation(call.deps.pool, call.scope, pattern_id)
        if installation_id is None:
            raise not_found("pattern")
        await require_write(call, installation_id, [pattern_id])
        await browse.set_pattern_status(call.deps.pool, installation_id, pattern_id, status)
        found = await browse.pattern(call.deps.pool, call.scope, pattern_id)
        assert found is not None
        return found

    return set_status


async def merge_pattern(call: Call) -> JSON:
    source_id, target_id = call.params["pattern_id"], call.body["into"]
    if source_id == target_id:
        raise ValidationFailed([FieldError("into", "must be another pattern")])
    source_inst = await browse.pattern_installation(call.deps.pool, call.scope, source_id)
    target_inst = await browse.pattern_installation(call.deps.pool, call.scope, target_id)
    if source_inst is None:
        raise not_found("pattern")
    if target_inst is None or target_inst != source_inst:
        raise ValidationFailed([FieldError("into", "no such pattern in this installation")])
    await require_write(call, source_inst, [source_id, target_id])  # a merge rewrites both histories
    async with call.deps.pool.acquire() as conn:
        merged = await browse.merge_patterns(conn, source_inst, source_id, target_id, actor=call.principal.actor)
    if not merged:
        raise not_found("pattern")
    found = await browse.pattern(call.deps.pool, call.scope, target_id)
    assert found is not None
    return found


def pattern_path(suffix: str = "") -> str:
    return "/api/patterns/{pattern_id}" + suffix


def operations() -> list[Operation]:
    return [
        Operation("GET", "/api/patterns", "listPatterns", "Failure patterns, most recently seen first",
                  list_patterns, "patterns", s.page("Pattern"),
                  params=(Param("status", {"type": "string", "enum": ["active", "muted", "pinned"]}, "Status."),
                          CURSOR, LIMIT)),
        Operation("GET", "/api/patterns/search", "searchPatterns", "Patterns most similar to a text",
                  search_patterns, "patterns", s.page("SearchHit"),
                  params=(Param("q", {"type": "string", "minLength": 1, "maxLength": 20000}, "Text to match.",
                                required=True),
                          Param("top_k", {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
                                "Number of patterns."),
                          Param("threshold", {"type": "number", "minimum": 0, "maximum": 1, "default": 0.0},
                                "Minimum cosine similarity.")),
                  extra_responses=(503,)),
        Operation("GET", pattern_path(), "getPattern", "A pattern with members and a 30-day timeline",
                  get_pattern, "patterns", s.ref("PatternDetail"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/mute"), "mutePattern", "Mute a pattern (reports stop flagging it)",
                  _status_setter("muted"), "patterns", s.ref("Pattern"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/pin"), "pinPattern", "Pin a pattern (kept whatever its age)",
                  _status_setter("pinned"), "patterns", s.ref("Pattern"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/activate"), "activatePattern", "Unmute or unpin a pattern",
                  _status_setter("active"), "patterns", s.ref("Pattern"), params=(PATTERN_ID,)),
        Operation("POST", pattern_path("/merge"), "mergePattern", "Merge this pattern into another",
                  merge_pattern, "patterns", s.ref("Pattern"), params=(PATTERN_ID,),
                  body=s.obj({"into": ID_SCHEMA})),
    ]
