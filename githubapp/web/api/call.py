"""One API request after authentication and validation (``Call``), and what the list operations share:
keyset pages with opaque cursors, the repository filter and the common query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from storage import browse
from storage.browse import Scope

from ...deps import Deps
from .openapi import Param, decode_cursor, encode_cursor
from .principal import Principal

JSON = dict[str, Any]


@dataclass
class Call:
    """One API request after authentication and validation."""

    request: Request
    deps: Deps
    principal: Principal
    params: dict[str, Any]
    body: Any

    @property
    def scope(self) -> Scope:
        return Scope(list(self.principal.installations), self.principal.repo_filter)


LIMIT = Param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Page size.")
CURSOR = Param("cursor", {"type": "string", "minLength": 1, "maxLength": 500},
               "The nextCursor of the previous page.")
REPOSITORY = Param("repository", {"type": "string", "minLength": 1, "maxLength": 300},
                   "Repository full name (owner/name).")
BRANCH = Param("branch", {"type": "string", "minLength": 1, "maxLength": 500}, "Branch name.")
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def cursor_after(call: Call) -> tuple[datetime, int] | None:
    cursor = call.params.get("cursor")
    if cursor is None:
        return None
    when, ident = decode_cursor(cursor, [datetime, int])
    return when, ident


def page(items: list[JSON], limit: int, time_field: str) -> JSON:
    """``{"items", "nextCursor"}`` of rows fetched with ``limit + 1`` (the extra row says there is more)."""
    more = len(items) > limit
    items = items[:limit]
    next_cursor = None
    if more and items:
        last = items[-1]
        next_cursor = encode_cursor(datetime.fromisoformat(last[time_field]), last["id"])
    return {"items": items, "nextCursor": next_cursor}


async def repository_ids(call: Call) -> list[int] | None:
    """The ids of the ``repository`` parameter's repositories (None: no filter; []: none visible)."""
    name = call.params.get("repository")
    if name is None:
        return None
    return await browse.repository_ids_named(call.deps.pool, call.scope, name)


def iso_or_none(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None
