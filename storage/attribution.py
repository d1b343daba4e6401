"""Queries behind attribution: completed workflow runs by branch and commit, the base branch's failures of a
pattern, a branch's failing streak, passes on a commit where a pattern failed. Every query filters on the
installation (and the repository)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from .db import Connection as Conn

PR_EVENTS = ["pull_request", "pull_request_target"]  # runs of a PR's head, whatever its branch is called
# A branch's runs are ordered by their head commit's time; the completion time stands in when it is unknown.
ORDER_AT = "coalesce(w.head_commit_at, w.completed_at)"


@dataclass(frozen=True)
class RunRow:
    run_id: int
    run_attempt: int
    head_sha: str
    conclusion: str  # success | failure
    workflow_id: int | None = None
    workflow_name: str = ""
    run_number: int | None = None
    event: str | None = None
    head_branch: str | None = None
    head_commit_at: datetime | None = None
    html_url: str | None = None
    analysed: bool = False
    completed_at: datetime | None = None
    repo_full_name: str = ""
    default_branch: str | None = None
    pr_numbers: tuple[int, ...] = ()

    @property
    def order_at(self) -> datetime | None:
        return self.head_commit_at or self.completed_at

    @classmethod
    def of(cls, r: asyncpg.Record) -> RunRow:
        return cls(
            run_id=r["run_id"],
            run_attempt=r["run_attempt"],
            head_sha=r["head_sha"],
            conclusion=r["conclusion"],
            workflow_id=r["workflow_id"],
            workflow_name=r["workflow_name"],
            run_number=r["run_number"],
            event=r["event"],
            head_branch=r["head_branch"],
            head_commit_at=r["head_commit_at"],
            html_url=r["html_url"],
            analysed=r["analysed"],
            completed_at=r["completed_at"],
            repo_full_name=r["repo_full_name"],
            default_branch=r["default_branch"],
            pr_numbers=tuple(r["pr_numbers"] or ()),
        )


RUN_COLUMNS = (
    "w.run_id, w.run_attempt, w.head_sha, w.conclusion, w.workflow_id, w.workflow_name, w.run_number, w.event,"
    " w.head_branch, w.head_commit_at, w.html_url, w.analysed, w.completed_at, w.repo_full_name, w.default_branch,"
    " w.pr_numbers"
)


async def record_run(conn: Conn, installation_id: int, repository_id: int, run: RunRow) -> None:
    """Upsert a completed run; an older attempt never overwrites a newer one, and ``analysed`` sticks for
    the same attempt."""
    await conn.execute(
        """
        INSERT INTO workflow_runs (installation_id, repository_id, run_id, run_attempt, workflow_id, workflow_name,
                                   run_number, event, head_branch, head_sha, head_commit_at, conclusion, html_url,
                                   analysed, repo_full_name, default_branch, pr_numbers)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
        ON CONFLICT (installation_id, run_id) DO UPDATE
           SET run_attempt = EXCLUDED.run_attempt, conclusion = EXCLUDED.conclusion,
               head_commit_at = coalesce(EXCLUDED.head_commit_at, workflow_runs.head_commit_at),
               html_url = coalesce(EXCLUDED.html_url, workflow_runs.html_url),
               analysed = EXCLUDED.analysed
                          OR (workflow_runs.analysed AND workflow_runs.run_attempt = EXCLUDED.run_attempt),
               default_branch = coalesce(EXCLUDED.default_branch, workflow_runs.default_branch),
               pr_numbers = EXCLUDED.pr_numbers,
               completed_at = now()
         WHERE workflow_runs.run_attempt <= EXCLUDED.run_attempt
        """,
        installation_id,
        repository_id,
        run.run_id,
        run.run_attempt,
        run.workflow_id,
        run.workflow_name,
        run.run_number,
        run.event,
        run.head_branch,
        run.head_sha,
        run.head_commit_at,
        run.conclusion,
        run.html_url,
        run.analysed,
        run.repo_full_name,
        run.default_branch,
        list(run.pr_numbers),
    )


async def get_run(conn: Conn, installation_id: int, run_id: int) -> RunRow | None:
    row = await conn.fetchrow(
        f"SELECT {RUN_COLUMNS} FROM workflow_runs w WHERE w.installation_id = $1 AND w.run_id = $2",
        installation_id,
        run_id,
    )
    return RunRow.of(row) if row else None


async def branch_runs(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    branch: str,
    workflow_id: int | None,
    since: datetime | None = None,
    since_sha: str | None = None,
    until: datetime | None = None,
    exclude_run: int | None = None,
    limit: int = 50,
) -> list[RunRow]:
    """Completed runs of a branch (not of PRs), newest commit first, that say something: passes, and failures
    whose failures were recorded. ``since``/``since_sha``: of that commit (the merge base), or of a commit at or
    after its time."""
    rows = await conn.fetch(
        f"""
        SELECT {RUN_COLUMNS} FROM workflow_runs w
         WHERE w.installation_id = $1 AND w.repository_id = $2 AND w.head_branch = $3
           AND NOT (coalesce(w.event, '') = ANY($4::text[])) AND cardinality(w.pr_numbers) = 0
           AND ($5::bigint IS NULL OR w.workflow_id = $5)
           AND (($6::timestamptz IS NULL AND $10::text IS NULL) OR w.head_sha = $10 OR {ORDER_AT} >= $6)
           AND ($7::timestamptz IS NULL OR {ORDER_AT} <= $7)
           AND ($8::bigint IS NULL OR w.run_id <> $8)
           AND (w.conclusion = 'success' OR w.analysed)
         ORDER BY {ORDER_AT} DESC, w.run_id DESC
         LIMIT $9
        """,
        installation_id,
        repository_id,
        branch,
        PR_EVENTS,
        workflow_id,
        since,
        until,
        exclude_run,
        limit,
        since_sha,
    )
    return [RunRow.of(r) for r in rows]


async def patterns_of_runs(
    conn: Conn, installation_id: int, repository_id: int, run_ids: Sequence[int]
) -> dict[int, set[int]]:
    """The patterns each run failed with (any attempt)."""
    rows = await conn.fetch(
        """SELECT DISTINCT run_id, pattern_id FROM failures
            WHERE installation_id = $1 AND repository_id = $2 AND run_id = ANY($3::bigint[])
              AND pattern_id IS NOT NULL""",
        installation_id,
        repository_id,
        list(run_ids),
    )
    out: dict[int, set[int]] = {}
    for r in rows:
        out.setdefault(int(r["run_id"]), set()).add(int(r["pattern_id"]))
    return out


async def base_failures(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    branch: str,
    pattern_ids: Sequence[int],
    since: datetime | None,
    exclude_run: int | None,
    since_sha: str | None = None,
) -> dict[int, RunRow]:
    """Per pattern: the newest run of ``branch`` (not a PR's) of commit ``since_sha`` or at or after ``since``
    that failed with it."""
    rows = await conn.fetch(
        f"""
        SELECT DISTINCT ON (f.pattern_id) f.pattern_id, {RUN_COLUMNS}
          FROM failures f
          JOIN workflow_runs w ON w.installation_id = f.installation_id AND w.run_id = f.run_id
         WHERE f.installation_id = $1 AND f.repository_id = $2 AND f.pattern_id = ANY($3::bigint[])
           AND w.repository_id = $2 AND w.head_branch = $4 AND NOT (coalesce(w.event, '') = ANY($5::text[]))
           AND cardinality(w.pr_numbers) = 0
           AND (($6::timestamptz IS NULL AND $8::text IS NULL) OR w.head_sha = $8 OR {ORDER_AT} >= $6)
           AND ($7::bigint IS NULL OR w.run_id <> $7)
         ORDER BY f.pattern_id, {ORDER_AT} DESC
        """,
        installation_id,
        repository_id,
        list(pattern_ids),
        branch,
        PR_EVENTS,
        since,
        exclude_run,
        since_sha,
    )
    return {int(r["pattern_id"]): RunRow.of(r) for r in rows}


async def passes_where_failed(
    conn: Conn, installation_id: int, repository_id: int, pattern_ids: Sequence[int]
) -> dict[int, RunRow]:
    """Per pattern: a passing run of the same workflow on a commit where the pattern failed (a re-run attempt
    that passed, or another run of that commit)."""
    rows = await conn.fetch(
        f"""
        SELECT DISTINCT ON (f.pattern_id) f.pattern_id, {RUN_COLUMNS}
          FROM failures f
          JOIN workflow_runs failed ON failed.installation_id = f.installation_id AND failed.run_id = f.run_id
          JOIN workflow_runs w ON w.installation_id = f.installation_id AND w.repository_id = f.repository_id
                              AND w.head_sha = f.head_sha AND w.conclusion = 'success'
                              AND w.workflow_id IS NOT DISTINCT FROM failed.workflow_id
         WHERE f.installation_id = $1 AND f.repository_id = $2 AND f.pattern_id = ANY($3::bigint[])
         ORDER BY f.pattern_id, w.completed_at DESC
        """,
        installation_id,
        repository_id,
        list(pattern_ids),
    )
    return {int(r["pattern_id"]): RunRow.of(r) for r in rows}


async def set_verdicts(
    conn: Conn, installation_id: int, verdicts: Sequence[tuple[int, str, str]]
) -> None:
    """``(failure id, verdict, reason)`` for the REST API's failure objects."""
    if not verdicts:
        return
    await conn.executemany(
        "UPDATE failures SET verdict = $3, verdict_reason = $4 WHERE installation_id = $1 AND id = $2",
        [(installation_id, failure_id, verdict, reason[:500]) for failure_id, verdict, reason in verdicts],
    )


async def set_attempt_verdicts(
    conn: Conn,
    installation_id: int,
    run_id: int,
    run_attempt: int,
    fingerprints: Sequence[tuple[str, str]],
    verdict: str,
) -> None:
    """``(fingerprint, reason)``: a run attempt's failures given a new verdict later (a re-run passed them)."""
    if not fingerprints:
        return
    await conn.executemany(
        "UPDATE failures SET verdict = $5, verdict_reason = $6"
        " WHERE installation_id = $1 AND run_id = $2 AND run_attempt = $3 AND fingerprint = $4",
        [(installation_id, run_id, run_attempt, fp, verdict, reason[:500]) for fp, reason in fingerprints],
    )


async def installations_with_runs(conn: Conn) -> list[int]:
    return [int(r["installation_id"]) for r in await conn.fetch("SELECT DISTINCT installation_id FROM workflow_runs")]


async def purge_runs(conn: Conn, installation_id: int, *, before: datetime) -> int:
    """Runs completed before ``before`` (as their failures expire, their runs say nothing more)."""
    status = await conn.execute(
        "DELETE FROM workflow_runs WHERE installation_id = $1 AND completed_at < $2", installation_id, before
    )
    return int(status.rsplit(" ", 1)[-1])


@dataclass(frozen=True)
class Broken:
    """A workflow whose newest completed run on the default branch failed: since when, and with what."""

    repository_id: int
    full_name: str
    workflow_name: str
    latest: RunRow
    since: RunRow
    failing_runs: int


async def broken_default_branches(
    conn: Conn, installation_ids: Sequence[int], repository_ids: Sequence[int] | None, *, limit: int = 100
) -> list[Broken]:
    """Per repository and workflow: the newest completed default-branch run, when it failed, with the first
    failing run after the last pass (the streak's start)."""
    rows = await conn.fetch(
        f"""
        WITH latest AS (
            SELECT DISTINCT ON (w.installation_id, w.repository_id, w.workflow_id)
                   w.installation_id, w.repository_id, {RUN_COLUMNS}, {ORDER_AT} AS order_at
              FROM workflow_runs w
             WHERE w.installation_id = ANY($1::bigint[])
               AND ($2::bigint[] IS NULL OR w.repository_id = ANY($2::bigint[]))
               AND w.head_branch = w.default_branch AND NOT (coalesce(w.event, '') = ANY($3::text[]))
               AND cardinality(w.pr_numbers) = 0
             ORDER BY w.installation_id, w.repository_id, w.workflow_id, {ORDER_AT} DESC, w.run_id DESC
        )
        SELECT l.*, s.run_id AS s_run_id, s.run_attempt AS s_run_attempt, s.head_sha AS s_head_sha,
               s.html_url AS s_html_url, s.run_number AS s_run_number, s.head_commit_at AS s_head_commit_at,
               s.completed_at AS s_completed_at, s.failing AS s_failing
          FROM latest l
          CROSS JOIN LATERAL (
              SELECT w.run_id, w.run_attempt, w.head_sha, w.html_url, w.run_number, w.head_commit_at,
                     w.completed_at, count(*) OVER () AS failing
                FROM workflow_runs w
               WHERE w.installation_id = l.installation_id AND w.repository_id = l.repository_id
                 AND w.workflow_id IS NOT DISTINCT FROM l.workflow_id AND w.head_branch = l.head_branch
                 AND NOT (coalesce(w.event, '') = ANY($3::text[])) AND cardinality(w.pr_numbers) = 0
                 AND w.conclusion = 'failure'
                 AND {ORDER_AT} <= l.order_at
                 AND {ORDER_AT} > coalesce((
                     SELECT max(coalesce(p.head_commit_at, p.completed_at)) FROM workflow_runs p
                      WHERE p.installation_id = l.installation_id AND p.repository_id = l.repository_id
                        AND p.workflow_id IS NOT DISTINCT FROM l.workflow_id AND p.head_branch = l.head_branch
                        AND p.conclusion = 'success' AND coalesce(p.head_commit_at, p.completed_at) <= l.order_at
                        AND cardinality(p.pr_numbers) = 0
                 ), '-infinity'::timestamptz)
               ORDER BY {ORDER_AT} ASC, w.run_id ASC
               LIMIT 1
          ) s
         WHERE l.conclusion = 'failure'
         ORDER BY s.head_commit_at ASC NULLS LAST
         LIMIT $4
        """,
        list(installation_ids),
        list(repository_ids) if repository_ids is not None else None,
        PR_EVENTS,
        limit,
    )
    out = []
    for r in rows:
        latest = RunRow.of(r)
        since = RunRow(
            run_id=r["s_run_id"],
            run_attempt=r["s_run_attempt"],
            head_sha=r["s_head_sha"],
            conclusion="failure",
            workflow_id=latest.workflow_id,
            workflow_name=latest.workflow_name,
            run_number=r["s_run_number"],
            head_branch=latest.head_branch,
            head_commit_at=r["s_head_commit_at"],
            html_url=r["s_html_url"],
            completed_at=r["s_completed_at"],
        )
        failing = int(r["s_failing"])
        out.append(Broken(r["repository_id"], latest.repo_full_name, latest.workflow_name, latest, since, failing))
    return out
