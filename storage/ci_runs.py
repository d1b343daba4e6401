"""CI runs reported by any CI system, and the repositories of CI systems other than GitHub."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .db import Conn


async def repository_id_for(
    conn: Conn, installation_id: int, full_name: str, *, default_branch: str | None = None
) -> int:
    """The installation's GitHub repository of that name, else its external repository (created on first use;
    ``default_branch``, when given, is remembered for it)."""
    found = await conn.fetchval(
        """SELECT id FROM repositories
            WHERE installation_id = $1 AND lower(full_name) = lower($2) AND removed_at IS NULL""",
        installation_id, full_name,
    )
    if found is not None:
        return int(found)
    row = await conn.fetchval(
        """INSERT INTO external_repositories (installation_id, full_name, default_branch) VALUES ($1, $2, $3)
           ON CONFLICT (installation_id, lower(full_name)) DO UPDATE
               SET default_branch = coalesce(EXCLUDED.default_branch, external_repositories.default_branch)
           RETURNING id""",
        installation_id, full_name, default_branch,
    )
    return int(row)


@dataclass(frozen=True)
class StoredRun:
    id: int
    repository_id: int
    request_sha256: str | None
    response: dict[str, Any] | None
    age_seconds: float


async def find_by_client_id(conn: Conn, installation_id: int, source: str, client_id: str) -> StoredRun | None:
    row = await conn.fetchrow(
        """SELECT id, repository_id, request_sha256, response,
                  extract(epoch FROM now() - created_at)::float8 AS age FROM ci_runs
            WHERE installation_id = $1 AND source = $2 AND client_id = $3""",
        installation_id, source, client_id,
    )
    if row is None:
        return None
    return StoredRun(row["id"], row["repository_id"], row["request_sha256"], row["response"], row["age"])


async def insert_run(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    source: str,
    client_id: str | None,
    ci: str,
    branch: str | None,
    commit_sha: str | None,
    conclusion: str,
    failed_tests: int,
    duration_seconds: float | None,
    started_at: datetime | None,
    finished_at: datetime | None,
    snapshot_links: Sequence[dict[str, str]],
    request_sha256: str | None,
) -> int | None:
    """The new run's id, or None when a run with that client id exists (a concurrent replay)."""
    row = await conn.fetchval(
        """INSERT INTO ci_runs (installation_id, repository_id, source, client_id, ci, branch, commit_sha, conclusion,
                                failed_tests, duration_seconds, started_at, finished_at, snapshot_links, request_sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, now()), $13, $14)
           ON CONFLICT (installation_id, source, client_id) WHERE client_id IS NOT NULL DO NOTHING
           RETURNING id""",
        installation_id, repository_id, source, client_id, ci, branch, commit_sha, conclusion, failed_tests,
        duration_seconds, started_at, finished_at, list(snapshot_links), request_sha256,
    )
    return int(row) if row is not None else None


async def discard_run(conn: Conn, installation_id: int, repository_id: int, run_id: int) -> None:
    """Remove an ingested run whose processing failed, with what was recorded of it (failures and test
    outcomes under -run_id), so that the same idempotency id can be sent again."""
    for table in ("failures", "test_outcomes"):
        await conn.execute(
            f"DELETE FROM {table} WHERE installation_id = $1 AND repository_id = $2 AND run_id = $3",
            installation_id, repository_id, -run_id,
        )
    await conn.execute("DELETE FROM ci_runs WHERE installation_id = $1 AND id = $2", installation_id, run_id)


async def set_response(conn: Conn, installation_id: int, run_id: int, response: dict[str, Any]) -> None:
    await conn.execute(
        "UPDATE ci_runs SET response = $3 WHERE installation_id = $1 AND id = $2", installation_id, run_id, response
    )
