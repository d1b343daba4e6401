"""Reading the fixes table (owned by the fixes feature) for the API and the dashboard's queue."""

from __future__ import annotations

from typing import Any

from analysis.fixes.verify import short_hash, shown_whole

from .browse import SCOPED, Scope
from .db import Conn


def fix_json(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "installationId": row["installation_id"],
        "repositoryId": row["repository_id"],
        "repository": row["repo_full_name"],
        "pullRequest": row["pr_number"],
        "title": row["title"],
        "explanation": row["explanation"],
        "source": row["source"],
        "confidence": float(row["confidence"]),
        "status": row["status"],
        "diff": row["diff"],
        # The short hash approvals must name, and whether the diff is small enough to be shown whole, which
        # approval requires.
        "diffHash": short_hash(row["diff"]),
        "diffShownWhole": shown_whole(row["diff"]),
        "decidedBy": row["decided_by"],
        "decidedAt": row["decided_at"].isoformat() if row["decided_at"] else None,
        "outcome": row["outcome"],
        "createdAt": row["created_at"].isoformat(),
    }


async def fixes(conn: Conn, scope: Scope, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    if not await conn.fetchval("SELECT to_regclass('fixes') IS NOT NULL"):
        return []
    rows = await conn.fetch(
        f"""SELECT * FROM fixes WHERE {SCOPED} AND ($3::text IS NULL OR status = $3)
            ORDER BY created_at DESC, id LIMIT $4""",
        scope.installations, scope.repositories, status, limit,
    )
    return [fix_json(r) for r in rows]


async def fix(conn: Conn, scope: Scope, fix_id: str) -> dict[str, Any] | None:
    if not await conn.fetchval("SELECT to_regclass('fixes') IS NOT NULL"):
        return None
    row = await conn.fetchrow(f"SELECT * FROM fixes WHERE {SCOPED} AND id = $3", scope.installations,
                              scope.repositories, fix_id)
    return fix_json(row) if row else None
