"""Read queries behind the API and the dashboard. Every query takes a scope (installations, and optionally the
repositories a signed-in user may see) and filters on it: an object outside the scope is simply not found."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from .db import Conn

Row = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    installations: list[int]
    repositories: list[int] | None = None  # None: all of them; repositories < 0 (other CI systems) always


# $1 = installations, $2 = repositories (NULL: all)
SCOPED = (
    "installation_id = ANY($1::bigint[]) AND ($2::bigint[] IS NULL OR repository_id = ANY($2) OR repository_id < 0)"
)


def scoped(alias: str) -> str:
    """SCOPED for a table alias."""
    return SCOPED.replace("installation_id", f"{alias}.installation_id").replace(
        "repository_id", f"{alias}.repository_id"
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---- repositories -------------------------------------------------------------------------------------------

REPOSITORIES = """
    SELECT id, installation_id, full_name, default_branch, 'github' AS source FROM repositories
     WHERE removed_at IS NULL AND installation_id = ANY($1::bigint[]) AND ($2::bigint[] IS NULL OR id = ANY($2))
    UNION ALL
    SELECT id, installation_id, full_name, default_branch, 'external' AS source FROM external_repositories
     WHERE installation_id = ANY($1::bigint[])
"""


def repository_json(row: asyncpg.Record) -> Row:
    return {
        "id": row["id"],
        "installationId": row["installation_id"],
        "fullName": row["full_name"],
        "defaultBranch": row["default_branch"],
        "source": row["source"],
    }


async def repositories(conn: Conn, scope: Scope) -> list[Row]:
    rows = await conn.fetch(f"SELECT * FROM ({REPOSITORIES}) r ORDER BY lower(full_name), id", scope.installations,
                            scope.repositories)
    return [repository_json(r) for r in rows]


async def repository(conn: Conn, scope: Scope, repository_id: int) -> Row | None:
    row = await conn.fetchrow(f"SELECT * FROM ({REPOSITORIES}) r WHERE id = $3", scope.installations,
                              scope.repositories, repository_id)
    return repository_json(row) if row else None


async def repository_ids_named(conn: Conn, scope: Scope, full_name: str) -> list[int]:
    rows = await conn.fetch(f"SELECT id FROM ({REPOSITORIES}) r WHERE lower(full_name) = lower($3)",
                            scope.installations, scope.repositories, full_name)
    return [r["id"] for r in rows]


# ---- runs ---------------------------------------------------------------------------------------------------


def run_json(row: asyncpg.Record) -> Row:
    return {
        "id": row["id"],
        "repositoryId": row["repository_id"],
        "repository": row["full_name"],
        "source": row["source"],
        "ci": row["ci"],
        "clientId": row["client_id"],
        "branch": row["branch"],
        "commit": row["commit_sha"],
        "conclusion": row["conclusion"],
        "failedTests": row["failed_tests"],
        "durationSeconds": row["duration_seconds"],
        "finishedAt": _iso(row["finished_at"]),
        "snapshotLinks": row["snapshot_links"] or [],
    }


RUNS = f"""
    SELECT c.*, coalesce(r.full_name, e.full_name, '') AS full_name FROM ci_runs c
      LEFT JOIN repositories r ON r.id = c.repository_id AND r.installation_id = c.installation_id
      LEFT JOIN external_repositories e ON e.id = c.repository_id AND e.installation_id = c.installation_id
     WHERE {scoped('c')}
"""


async def runs(
    conn: Conn,
    scope: Scope,
    *,
    repository_ids: Sequence[int] | None,
    branch: str | None,
    conclusion: str | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Row]:
    rows = await conn.fetch(
        RUNS + """
           AND ($3::bigint[] IS NULL OR c.repository_id = ANY($3))
           AND ($4::text IS NULL OR c.branch = $4)
           AND ($5::text IS NULL OR c.conclusion = $5)
           AND ($6::timestamptz IS NULL OR (c.finished_at, c.id) < ($6, $7))
         ORDER BY c.finished_at DESC, c.id DESC LIMIT $8""",
        scope.installations, scope.repositories, repository_ids, branch, conclusion,
        after[0] if after else None, after[1] if after else 0, limit,
    )
    return [run_json(r) for r in rows]


async def run_key(conn: Conn, scope: Scope, run_id: int) -> tuple[int, int | None] | None:
    """The (failures.run_id, run_attempt) of a ``ci_runs`` row: ingested runs record their failures under
    -id, GitHub Actions runs under the GitHub run id and attempt (client id "<run id>:<attempt>")."""
    found = await conn.fetchrow(
        f"SELECT c.id, c.source, c.client_id FROM ci_runs c WHERE {scoped('c')} AND c.id = $3",
        scope.installations, scope.repositories, run_id,
    )
    if found is None:
        return None
    if found["source"] == "github":
        github_run, _, attempt = str(found["client_id"]).partition(":")
        return int(github_run), int(attempt or 1)
    return -int(found["id"]), None


async def run(conn: Conn, scope: Scope, run_id: int) -> Row | None:
    row = await conn.fetchrow(RUNS + " AND c.id = $3", scope.installations, scope.repositories, run_id)
    return run_json(row) if row else None


# ---- failures -----------------------------------------------------------------------------------------------

FAILURES = f"""
    SELECT f.id, f.installation_id, f.repository_id, f.pattern_id, f.run_id, f.run_attempt, f.job_id, f.job_name,
           f.head_sha, f.branch, f.pr_number, f.kind, f.tool, f.test_id, f.message, f.file, f.line,
           f.test_file, f.test_line, f.how, f.occurrences, f.file_count, f.repeated_in,
           f.similarity, f.seen_at, f.excerpt, f.verdict, f.verdict_reason,
           p.title AS pattern_title, p.status AS pattern_status,
           coalesce(r.full_name, e.full_name, '') AS full_name
      FROM failures f
      LEFT JOIN patterns p ON p.id = f.pattern_id AND p.installation_id = f.installation_id
      LEFT JOIN repositories r ON r.id = f.repository_id AND r.installation_id = f.installation_id
      LEFT JOIN external_repositories e ON e.id = f.repository_id AND e.installation_id = f.installation_id
     WHERE {scoped('f')}
"""


def failure_json(row: asyncpg.Record, *, detail: bool = False) -> Row:
    out: Row = {
        "id": row["id"],
        "repositoryId": row["repository_id"],
        "repository": row["full_name"],
        "runId": abs(row["run_id"]) if row["run_id"] is not None else None,
        # GitHub Actions runs only (their run id is positive; an ingested run's failures carry -ci_runs.id)
        "runAttempt": row["run_attempt"] if (row["run_id"] or 0) > 0 else None,
        "jobId": row["job_id"] if (row["run_id"] or 0) > 0 else None,
        "jobName": row["job_name"],
        "branch": row["branch"],
        "commit": row["head_sha"],
        "pullRequest": row["pr_number"],
        "kind": row["kind"],
        "tool": row["tool"],
        "testId": row["test_id"],
        "message": row["message"],
        "file": row["file"],
        "line": row["line"],
        "testFile": row["test_file"],
        "testLine": row["test_line"],
        # repeats of the message the analysis folded into this failure: lines the tool printed, distinct files
        "occurrences": row["occurrences"],
        "fileCount": row["file_count"],
        "patternId": row["pattern_id"],
        "patternTitle": row["pattern_title"],
        "seenAt": _iso(row["seen_at"]),
        "verdict": row["verdict"],
        "verdictReason": row["verdict_reason"],
    }
    if detail:
        out["excerpt"] = row["excerpt"]
        out["files"] = [{"path": str(path), "count": int(n)} for path, n in row["repeated_in"] or ()]
        similarity = float(row["similarity"])
        out["match"] = {"how": row["how"], "similarity": similarity if math.isfinite(similarity) else 0.0}
    return out


@dataclass(frozen=True)
class FailureFilter:
    repository_ids: Sequence[int] | None = None
    branch: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    pattern_id: int | None = None
    verdict: str | None = None  # new | pre-existing | flaky | infra
    run_id: int | None = None  # failures.run_id: -ci_runs.id for ingested runs, the GitHub run id for Actions
    run_attempt: int | None = None


class Where:
    """WHERE clauses with only the filters in use: no ``$n IS NULL OR ...`` terms, which keep PostgreSQL's
    generic plans from using the (installation_id, seen_at) index."""

    def __init__(self, scope: Scope) -> None:
        self.args: list[Any] = []
        self.terms: list[str] = []
        if len(scope.installations) == 1:
            self.add("installation_id = {}", scope.installations[0])
        else:
            self.add("installation_id = ANY({}::bigint[])", scope.installations)
        if scope.repositories is not None:
            self.add("(repository_id = ANY({}::bigint[]) OR repository_id < 0)", scope.repositories)

    def add(self, term: str, *values: Any) -> None:
        """``term`` with ``{}`` for each value; columns unqualified (the query has one table)."""
        self.terms.append(term.format(*(self.arg(value) for value in values)))

    def sql(self) -> str:
        return " AND ".join(self.terms)

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


FAILURE_PAGE = """
    SELECT f.id, f.installation_id, f.repository_id, f.pattern_id, f.run_id, f.run_attempt, f.job_id, f.job_name,
           f.head_sha, f.branch, f.pr_number, f.kind, f.tool, f.test_id, f.message, f.file, f.line,
           f.test_file, f.test_line, f.how, f.occurrences, f.file_count, NULL::jsonb AS repeated_in,
           f.similarity, f.seen_at, NULL::text AS excerpt, f.verdict, f.verdict_reason,
           p.title AS pattern_title, p.status AS pattern_status,
           coalesce(r.full_name, e.full_name, '') AS full_name
      FROM (SELECT * FROM failures WHERE {where} ORDER BY seen_at DESC, id DESC LIMIT {limit}) f
      LEFT JOIN patterns p ON p.id = f.pattern_id AND p.installation_id = f.installation_id
      LEFT JOIN repositories r ON r.id = f.repository_id AND r.installation_id = f.installation_id
      LEFT JOIN external_repositories e ON e.id = f.repository_id AND e.installation_id = f.installation_id
     ORDER BY f.seen_at DESC, f.id DESC
"""


async def failures(
    conn: Conn, scope: Scope, where: FailureFilter, *, after: tuple[datetime, int] | None, limit: int
) -> list[Row]:
    """A page of failures, newest first: the page is cut from ``failures`` alone, then joined."""
    w = Where(scope)
    if where.repository_ids is not None:
        w.add("repository_id = ANY({}::bigint[])", list(where.repository_ids))
    if where.branch is not None:
        w.add("branch = {}", where.branch)
    if where.kind is not None:
        w.add("kind = {}", where.kind)
    if where.since is not None:
        w.add("seen_at >= {}", where.since)
    if where.until is not None:
        w.add("seen_at < {}", where.until)
    if where.pattern_id is not None:
        w.add("pattern_id = {}", where.pattern_id)
    if where.verdict is not None:
        w.add("verdict = {}", where.verdict)
    if where.run_id is not None:
        w.add("run_id = {}", where.run_id)
    if where.run_attempt is not None:
        w.add("run_attempt = {}", where.run_attempt)
    if after is not None:
        w.add("(seen_at, id) < ({}, {})", after[0], after[1])
    rows = await conn.fetch(FAILURE_PAGE.format(where=w.sql(), limit=w.arg(limit)), *w.args)
    return [failure_json(r) for r in rows]


async def failure(conn: Conn, scope: Scope, failure_id: int) -> Row | None:
    row = await conn.fetchrow(FAILURES + " AND f.id = $3", scope.installations, scope.repositories, failure_id)
    if row is None:
        return None
    out = failure_json(row, detail=True)
    links = await conn.fetchval(
        """SELECT snapshot_links FROM ci_runs WHERE installation_id = $1 AND repository_id = $2 AND id = $3""",
        row["installation_id"], row["repository_id"], -row["run_id"],
    ) if row["run_id"] is not None and row["run_id"] < 0 else None
    out["snapshotLinks"] = links or []
    out["pattern"] = await pattern(conn, scope, row["pattern_id"]) if row["pattern_id"] is not None else None
    return out


# ---- patterns -----------------------------------------------------------------------------------------------

PATTERNS = """
    SELECT id, installation_id, kind, tool, title, test_id, occurrences, first_seen, last_seen, repositories,
           status, resolution
      FROM patterns
     WHERE installation_id = ANY($1::bigint[])
       AND ($2::bigint[] IS NULL OR repositories && $2 OR EXISTS (SELECT 1 FROM unnest(repositories) x WHERE x < 0))
"""


def pattern_json(row: asyncpg.Record) -> Row:
    return {
        "id": row["id"],
        "installationId": row["installation_id"],
        "kind": row["kind"],
        "tool": row["tool"],
        "title": row["title"],
        "testId": row["test_id"],
        "occurrences": row["occurrences"],
        "firstSeen": _iso(row["first_seen"]),
        "lastSeen": _iso(row["last_seen"]),
        "repositoryIds": list(row["repositories"]),
        "status": row["status"],
        "resolution": row["resolution"],
    }


async def patterns(
    conn: Conn, scope: Scope, *, status: str | None, after: tuple[datetime, int] | None, limit: int
) -> list[Row]:
    rows = await conn.fetch(
        PATTERNS + """
           AND ($3::text IS NULL OR status = $3)
           AND ($4::timestamptz IS NULL OR (last_seen, id) < ($4, $5))
         ORDER BY last_seen DESC, id DESC LIMIT $6""",
        scope.installations, scope.repositories, status, after[0] if after else None, after[1] if after else 0,
        limit,
    )
    return [pattern_json(r) for r in rows]


async def pattern(conn: Conn, scope: Scope, pattern_id: int) -> Row | None:
    row = await conn.fetchrow(PATTERNS + " AND id = $3", scope.installations, scope.repositories, pattern_id)
    return pattern_json(row) if row else None


async def pattern_installation(conn: Conn, scope: Scope, pattern_id: int) -> int | None:
    found = await pattern(conn, scope, pattern_id)
    return int(found["installationId"]) if found else None


async def pattern_repositories(conn: Conn, installation_id: int, pattern_ids: list[int]) -> list[int]:
    """Every repository whose failures belong to these patterns (what a mute, pin or merge changes)."""
    rows = await conn.fetch(
        "SELECT DISTINCT repository_id FROM failures WHERE installation_id = $1 AND pattern_id = ANY($2::bigint[])",
        installation_id, pattern_ids,
    )
    return [int(r["repository_id"]) for r in rows]


async def pattern_timeline(conn: Conn, scope: Scope, pattern_id: int, *, days: int) -> list[Row]:
    """Failures per day over the last ``days`` days (days without failures included)."""
    rows = await conn.fetch(
        f"""SELECT d::date AS day, count(f.id) AS n
              FROM generate_series(current_date - ($4::int - 1), current_date, interval '1 day') d
              LEFT JOIN failures f ON f.seen_at::date = d::date AND f.pattern_id = $3
                   AND {scoped('f')}
             GROUP BY d ORDER BY d""",
        scope.installations, scope.repositories, pattern_id, days,
    )
    return [{"day": r["day"].isoformat(), "failures": r["n"]} for r in rows]


async def set_pattern_status(conn: Conn, installation_id: int, pattern_id: int, status: str) -> bool:
    result = await conn.execute(
        "UPDATE patterns SET status = $3, updated_at = now() WHERE installation_id = $1 AND id = $2",
        installation_id, pattern_id, status,
    )
    return str(result).endswith(" 1")


async def merge_patterns(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy,
    installation_id: int,
    source_id: int,
    target_id: int,
    *,
    actor: str,
) -> bool:
    """Move the source pattern's failures and fingerprints into the target and delete the source.

    Both must belong to ``installation_id``; False when either does not."""
    async with conn.transaction():
        rows = await conn.fetch(
            "SELECT id, title, occurrences, first_seen, last_seen, repositories FROM patterns "
            "WHERE installation_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE",
            installation_id, [source_id, target_id],
        )
        if len(rows) != 2:
            return False
        source = next(r for r in rows if r["id"] == source_id)
        await conn.execute(
            "UPDATE failures SET pattern_id = $3 WHERE installation_id = $1 AND pattern_id = $2",
            installation_id, source_id, target_id,
        )
        await conn.execute(
            "UPDATE pattern_fingerprints SET pattern_id = $3 WHERE installation_id = $1 AND pattern_id = $2",
            installation_id, source_id, target_id,
        )
        await conn.execute(
            """UPDATE patterns SET occurrences = occurrences + $3, first_seen = least(first_seen, $4),
                      last_seen = greatest(last_seen, $5),
                      repositories = ARRAY(SELECT DISTINCT unnest(repositories || $6::bigint[])),
                      updated_at = now()
                WHERE installation_id = $1 AND id = $2""",
            installation_id, target_id, source["occurrences"], source["first_seen"], source["last_seen"],
            list(source["repositories"]),
        )
        await conn.execute("DELETE FROM patterns WHERE installation_id = $1 AND id = $2", installation_id, source_id)
        await conn.execute(
            """INSERT INTO pattern_merges (installation_id, source_id, target_id, source_title, merged_by)
               VALUES ($1, $2, $3, $4, $5)""",
            installation_id, source_id, target_id, source["title"], actor,
        )
    return True
