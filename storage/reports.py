"""Queries for triage reports, sticky comments and cached repository configs. Every query filters on the
installation. Attempt numbers decide races: an older attempt of a run never overwrites a newer one's state."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from .db import Connection as Conn


@dataclass(frozen=True)
class ReportRow:
    installation_id: int
    repository_id: int
    run_id: int
    run_attempt: int
    workflow_id: int | None
    workflow_name: str
    head_sha: str
    head_branch: str | None
    pr_numbers: tuple[int, ...]
    check_run_id: int | None
    status: str
    conclusion: str | None
    failures: list[dict[str, Any]]
    timings: dict[str, float]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: asyncpg.Record) -> ReportRow:
        return cls(
            installation_id=r["installation_id"],
            repository_id=r["repository_id"],
            run_id=r["run_id"],
            run_attempt=r["run_attempt"],
            workflow_id=r["workflow_id"],
            workflow_name=r["workflow_name"],
            head_sha=r["head_sha"],
            head_branch=r["head_branch"],
            pr_numbers=tuple(r["pr_numbers"]),
            check_run_id=r["check_run_id"],
            status=r["status"],
            conclusion=r["conclusion"],
            failures=list(r["failures"] or []),
            timings=dict(r["timings"] or {}),
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )


@asynccontextmanager
async def locked(pool: asyncpg.Pool, *key: object) -> AsyncIterator[Conn]:
    """A session advisory lock on ``key`` held for the block (e.g. one run's or one PR's publishing)."""
    name = "ci-triage:" + ":".join(str(k) for k in key)
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", name)
        try:
            yield conn
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", name)


async def claim(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    run_id: int,
    run_attempt: int,
    workflow_id: int | None,
    workflow_name: str,
    head_sha: str,
    head_branch: str | None,
    pr_numbers: Sequence[int],
    status: str,
) -> ReportRow | None:
    """Create or take over the run's report for this attempt; None when a newer attempt already owns it."""
    row = await conn.fetchrow(
        """
        INSERT INTO reports (installation_id, repository_id, run_id, run_attempt, workflow_id, workflow_name,
                             head_sha, head_branch, pr_numbers, status)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (installation_id, run_id) DO UPDATE
           SET run_attempt = EXCLUDED.run_attempt, head_sha = EXCLUDED.head_sha,
               pr_numbers = EXCLUDED.pr_numbers, status = EXCLUDED.status, updated_at = now()
         WHERE reports.run_attempt <= EXCLUDED.run_attempt
        RETURNING *
        """,
        installation_id,
        repository_id,
        run_id,
        run_attempt,
        workflow_id,
        workflow_name,
        head_sha,
        head_branch,
        list(pr_numbers),
        status,
    )
    return ReportRow.of(row) if row else None


async def get(conn: Conn, installation_id: int, run_id: int) -> ReportRow | None:
    row = await conn.fetchrow(
        "SELECT * FROM reports WHERE installation_id = $1 AND run_id = $2", installation_id, run_id
    )
    return ReportRow.of(row) if row else None


async def set_check_run(conn: Conn, installation_id: int, run_id: int, run_attempt: int, check_run_id: int) -> None:
    await conn.execute(
        "UPDATE reports SET check_run_id = $4, updated_at = now() "
        "WHERE installation_id = $1 AND run_id = $2 AND run_attempt = $3",
        installation_id,
        run_id,
        run_attempt,
        check_run_id,
    )


async def finish(
    conn: Conn,
    installation_id: int,
    run_id: int,
    run_attempt: int,
    *,
    status: str,
    conclusion: str | None,
    failures: list[dict[str, Any]],
    timings: dict[str, float],
) -> bool:
    """Record the outcome; False when a newer attempt took the report over meanwhile."""
    result = await conn.execute(
        """
        UPDATE reports SET status = $4, conclusion = $5, failures = $6, timings = $7, updated_at = now()
         WHERE installation_id = $1 AND run_id = $2 AND run_attempt = $3
        """,
        installation_id,
        run_id,
        run_attempt,
        status,
        conclusion,
        failures,
        timings,
    )
    return bool(result.endswith(" 1"))


async def set_failures(
    conn: Conn, installation_id: int, run_id: int, *, failures: list[dict[str, Any]], conclusion: str
) -> None:
    """New verdicts for a run's failures (a re-run passed: they turned flaky)."""
    await conn.execute(
        "UPDATE reports SET failures = $3, conclusion = $4, updated_at = now() "
        "WHERE installation_id = $1 AND run_id = $2",
        installation_id,
        run_id,
        failures,
        conclusion,
    )


async def latest_failing(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    workflow_id: int | None,
    pr_number: int | None,
    branch: str | None,
    exclude_run: int | None = None,
) -> ReportRow | None:
    """The newest failing report of the same workflow on the same PR (or branch, when not a PR)."""
    row = await conn.fetchrow(
        """
        SELECT * FROM reports
         WHERE installation_id = $1 AND repository_id = $2 AND status IN ('failing', 'partial')
           AND ($3::bigint IS NULL OR workflow_id = $3)
           AND (CASE WHEN $4::int IS NOT NULL THEN $4 = ANY(pr_numbers) ELSE head_branch = $5 END)
           AND ($6::bigint IS NULL OR run_id <> $6)
         ORDER BY updated_at DESC LIMIT 1
        """,
        installation_id,
        repository_id,
        workflow_id,
        pr_number,
        branch,
        exclude_run,
    )
    return ReportRow.of(row) if row else None


async def mark_passing(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    workflow_id: int | None,
    pr_number: int | None,
    branch: str | None,
) -> int:
    """Every failing report of the workflow on that PR (or branch) is resolved now; how many."""
    result = await conn.execute(
        """
        UPDATE reports SET status = 'passing', updated_at = now()
         WHERE installation_id = $1 AND repository_id = $2 AND status IN ('failing', 'partial')
           AND ($3::bigint IS NULL OR workflow_id = $3)
           AND (CASE WHEN $4::int IS NOT NULL THEN $4 = ANY(pr_numbers) ELSE head_branch = $5 END)
        """,
        installation_id,
        repository_id,
        workflow_id,
        pr_number,
        branch,
    )
    return int(result.split()[-1])


# --- sticky comments -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentRow:
    comment_id: int | None
    run_id: int
    run_attempt: int
    status: str


async def get_comment(conn: Conn, installation_id: int, repository_id: int, pr_number: int) -> CommentRow | None:
    row = await conn.fetchrow(
        "SELECT comment_id, run_id, run_attempt, status FROM report_comments "
        "WHERE installation_id = $1 AND repository_id = $2 AND pr_number = $3",
        installation_id,
        repository_id,
        pr_number,
    )
    return CommentRow(row["comment_id"], row["run_id"], row["run_attempt"], row["status"]) if row else None


async def save_comment(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    pr_number: int,
    *,
    comment_id: int | None,
    run_id: int,
    run_attempt: int,
    status: str,
) -> None:
    await conn.execute(
        """
        INSERT INTO report_comments (installation_id, repository_id, pr_number, comment_id, run_id,
                                     run_attempt, status)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (installation_id, repository_id, pr_number) DO UPDATE
           SET comment_id = COALESCE(EXCLUDED.comment_id, report_comments.comment_id),
               run_id = EXCLUDED.run_id, run_attempt = EXCLUDED.run_attempt, status = EXCLUDED.status,
               updated_at = now()
        """,
        installation_id,
        repository_id,
        pr_number,
        comment_id,
        run_id,
        run_attempt,
        status,
    )


# --- repository config cache ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedConfig:
    ref: str
    blob_sha: str | None
    etag: str | None
    content: str | None


async def get_config(conn: Conn, installation_id: int, repository_id: int) -> CachedConfig | None:
    row = await conn.fetchrow(
        "SELECT ref, blob_sha, etag, content FROM repo_configs WHERE installation_id = $1 AND repository_id = $2",
        installation_id,
        repository_id,
    )
    return CachedConfig(row["ref"], row["blob_sha"], row["etag"], row["content"]) if row else None


async def put_config(conn: Conn, installation_id: int, repository_id: int, cached: CachedConfig) -> None:
    await conn.execute(
        """
        INSERT INTO repo_configs (installation_id, repository_id, ref, blob_sha, etag, content)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (installation_id, repository_id) DO UPDATE
           SET ref = EXCLUDED.ref, blob_sha = EXCLUDED.blob_sha, etag = EXCLUDED.etag,
               content = EXCLUDED.content, fetched_at = now()
        """,
        installation_id,
        repository_id,
        cached.ref,
        cached.blob_sha,
        cached.etag,
        cached.content,
    )
