"""``GET /api/repositories``: the repositories the caller sees, GitHub's and other CI systems' (negative ids)."""

from __future__ import annotations

from storage import browse

from . import schemas as s
from .call import JSON, Call
from .openapi import Operation


async def list_repositories(call: Call) -> JSON:
    return {"items": await browse.repositories(call.deps.pool, call.scope), "nextCursor": None}


def operations() -> list[Operation]:
    return [
        Operation("GET", "/api/repositories", "listRepositories", "Repositories visible to the key",
                  list_repositories, "repositories", s.page("Repository")),
    ]
