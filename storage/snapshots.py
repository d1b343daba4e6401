"""Queries for deployments, snapshots and stored artifacts. Every query filters on the installation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from .db import Conn

# --- deployments -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeploymentStatus:
    installation_id: int
    repository_id: int
    repository: str
    deployment_id: int
    status_id: int
    sha: str
    ref: str | None
    environment: str
    state: str
    url: str | None
    created_at: datetime
    transient: bool | None = None
    production: bool | None = None


async def record_deployment_status(conn: Conn, status: DeploymentStatus) -> bool:
    """Insert one deployment status; False when it was already recorded (redelivery)."""
    inserted = await conn.fetchval(
        """INSERT INTO deployments (installation_id, repository_id, repository, deployment_id, status_id, sha,
                                    ref, environment, state, url, transient, production, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (installation_id, status_id) DO NOTHING RETURNING id""",
        status.installation_id,
        status.repository_id,
        status.repository,
        status.deployment_id,
        status.status_id,
        status.sha,
        status.ref,
        status.environment,
        status.state,
        status.url,
        status.transient,
        status.production,
        status.created_at,
    )
    return inserted is not None


async def preview_url_for_sha(conn: Conn, installation_id: int, repository_id: int, sha: str) -> str | None:
    """URL of the latest successful deployment of ``sha`` (any environment), if one reported a URL."""
    url: str | None = await conn.fetchval(
        """SELECT url FROM deployments
           WHERE installation_id = $1 AND repository_id = $2 AND sha = $3 AND state = 'success'
             AND url IS NOT NULL AND url <> ''
           ORDER BY created_at DESC, status_id DESC LIMIT 1""",
        installation_id,
        repository_id,
        sha,
    )
    return url


# --- snapshots ---------------------------------------------------------------------------------------------


async def create_snapshot(
    conn: Conn,
    *,
    installation_id: int,
    source: str,
    url: str,
    route: str = "/",
    repository_id: int | None = None,
    run_id: int | None = None,
    run_attempt: int | None = None,
    head_sha: str | None = None,
    pr_number: int | None = None,
    run_passed: bool | None = None,
    test_run_id: str | None = None,
    options: dict[str, Any] | None = None,
    status: str = "queued",
) -> uuid.UUID:
    snapshot_id: uuid.UUID = await conn.fetchval(
        """INSERT INTO snapshots (installation_id, repository_id, source, status, url, route, run_id,
                                  run_attempt,
                                  head_sha, pr_number, run_passed, test_run_id, options)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id""",
        installation_id,
        repository_id,
        source,
        status,
        url,
        route,
        run_id,
        run_attempt,
        head_sha,
        pr_number,
        run_passed,
        test_run_id,
        options or {},
    )
    return snapshot_id


async def set_snapshot_status(conn: Conn, installation_id: int, snapshot_id: uuid.UUID, status: str) -> None:
    await conn.execute(
        "UPDATE snapshots SET status = $3 WHERE installation_id = $1 AND id = $2",
        installation_id,
        snapshot_id,
        status,
    )


async def finish_snapshot(
    conn: Conn,
    installation_id: int,
    snapshot_id: uuid.UUID,
    *,
    status: str,
    summary: dict[str, Any] | None,
    error: str | None,
    diff: dict[str, Any] | None = None,
    baseline_id: uuid.UUID | None = None,
) -> None:
    await conn.execute(
        """UPDATE snapshots SET status = $3, summary = $4, error = $5, diff = $6, baseline_id = $7,
                                finished_at = now()
           WHERE installation_id = $1 AND id = $2""",
        installation_id,
        snapshot_id,
        status,
        summary,
        error,
        diff,
        baseline_id,
    )


async def get_snapshot(conn: Conn, installation_id: int, snapshot_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM snapshots WHERE installation_id = $1 AND id = $2", installation_id, snapshot_id
    )


async def latest_green_snapshot(
    conn: Conn, installation_id: int, repository_id: int, route: str, *, before: uuid.UUID | None = None
) -> asyncpg.Record | None:
    """The newest completed snapshot of ``route`` taken for a passing run (the diff baseline)."""
    return await conn.fetchrow(
        """SELECT * FROM snapshots
           WHERE installation_id = $1 AND repository_id = $2 AND route = $3 AND run_passed AND status = 'done'
             AND ($4::uuid IS NULL OR id <> $4)
           ORDER BY created_at DESC LIMIT 1""",
        installation_id,
        repository_id,
        route,
        before,
    )


async def run_snapshots(conn: Conn, installation_id: int, run_id: int, run_attempt: int) -> list[asyncpg.Record]:
    """Finished pipeline snapshots of one run attempt, newest per route, with their baseline's sha and run."""
    return list(
        await conn.fetch(
            """SELECT DISTINCT ON (s.route) s.*, b.head_sha AS baseline_sha, b.run_id AS baseline_run_id
               FROM snapshots s
               LEFT JOIN snapshots b ON b.installation_id = s.installation_id AND b.id = s.baseline_id
               WHERE s.installation_id = $1 AND s.run_id = $2 AND s.run_attempt = $3 AND s.source = 'pipeline'
                 AND s.status IN ('done', 'failed')
               ORDER BY s.route, s.created_at DESC""",
            installation_id,
            run_id,
            run_attempt,
        )
    )


# --- artifacts ---------------------------------------------------------------------------------------------


async def record_artifact(
    conn: Conn,
    *,
    installation_id: int,
    key: str,
    kind: str,
    content_type: str,
    size_bytes: int,
    sha256: str,
    snapshot_id: uuid.UUID | None = None,
) -> int:
    artifact_id: int = await conn.fetchval(
        """INSERT INTO artifacts (installation_id, snapshot_id, kind, key, content_type, size_bytes, sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (key) DO UPDATE SET size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256,
                                           created_at = now()
           RETURNING id""",
        installation_id,
        snapshot_id,
        kind,
        key,
        content_type,
        size_bytes,
        sha256,
    )
    return artifact_id


async def snapshot_artifacts(conn: Conn, installation_id: int, snapshot_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT * FROM artifacts WHERE installation_id = $1 AND snapshot_id = $2 ORDER BY id",
            installation_id,
            snapshot_id,
        )
    )


async def installations_with_artifacts_before(conn: Conn, cutoff: datetime) -> list[int]:
    """Installations that have something to expire (the retention job then works per installation)."""
    rows = await conn.fetch(
        """SELECT installation_id FROM artifacts WHERE created_at < $1
           UNION SELECT installation_id FROM snapshots WHERE created_at < $1""",
        cutoff,
    )
    return sorted(r["installation_id"] for r in rows)


async def expired_artifacts(
    conn: Conn, installation_id: int, cutoff: datetime, *, limit: int = 500
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT id, key FROM artifacts WHERE installation_id = $1 AND created_at < $2
               ORDER BY id LIMIT $3""",
            installation_id,
            cutoff,
            limit,
        )
    )


async def delete_artifact_rows(conn: Conn, installation_id: int, ids: list[int]) -> int:
    result: str = await conn.execute(
        "DELETE FROM artifacts WHERE installation_id = $1 AND id = ANY($2::bigint[])", installation_id, ids
    )
    return int(result.split()[-1])


async def delete_expired_snapshots(conn: Conn, installation_id: int, cutoff: datetime) -> int:
    """Snapshot rows past retention whose artifacts are already gone."""
    result: str = await conn.execute(
        """DELETE FROM snapshots s WHERE s.installation_id = $1 AND s.created_at < $2
             AND NOT EXISTS (SELECT 1 FROM artifacts a
                             WHERE a.installation_id = $1 AND a.snapshot_id = s.id)""",
        installation_id,
        cutoff,
    )
    return int(result.split()[-1])
