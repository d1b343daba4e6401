"""Rows for the CI health metrics (analysis.ci_metrics computes the numbers), scoped like storage.browse."""

from __future__ import annotations

from datetime import datetime

from analysis.ci_metrics import DeploymentStatus, FixRecord, PatternHit, RunPoint

from .browse import Scope
from .browse import scoped as _scoped
from .db import Conn


async def _table_exists(conn: Conn, name: str) -> bool:
    """Tables of features that may not be deployed yet (fixes, deployments) are read only when present."""
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name))


async def run_points(
    conn: Conn, scope: Scope, repository_id: int | None, since: datetime, *, default_branch_only: bool = False
) -> list[RunPoint]:
    rows = await conn.fetch(
        f"""SELECT c.finished_at, c.conclusion, c.duration_seconds FROM ci_runs c
              LEFT JOIN repositories r ON r.id = c.repository_id AND r.installation_id = c.installation_id
              LEFT JOIN external_repositories e ON e.id = c.repository_id AND e.installation_id = c.installation_id
             WHERE {_scoped('c')} AND ($3::bigint IS NULL OR c.repository_id = $3) AND c.finished_at >= $4
               AND (NOT $5 OR c.branch = coalesce(r.default_branch, e.default_branch, 'main'))
             ORDER BY c.finished_at""",
        scope.installations, scope.repositories, repository_id, since, default_branch_only,
    )
    return [RunPoint(r["finished_at"], r["conclusion"] == "failure", r["duration_seconds"]) for r in rows]


async def pattern_hits(conn: Conn, scope: Scope, repository_id: int | None, since: datetime) -> list[PatternHit]:
    """One hit per failure with a pattern; minutes from the run's recorded duration when it is known."""
    rows = await conn.fetch(
        f"""SELECT f.pattern_id, p.title, f.repository_id, f.run_id, f.run_attempt, f.job_id, c.duration_seconds
              FROM failures f
              JOIN patterns p ON p.id = f.pattern_id AND p.installation_id = f.installation_id
              LEFT JOIN ci_runs c ON c.installation_id = f.installation_id AND c.repository_id = f.repository_id
                   AND ((f.run_id < 0 AND c.id = -f.run_id)
                        OR (f.run_id > 0 AND c.source = 'github'
                            AND c.client_id = f.run_id::text || ':' || f.run_attempt::text))
             WHERE {_scoped('f')} AND ($3::bigint IS NULL OR f.repository_id = $3) AND f.seen_at >= $4""",
        scope.installations, scope.repositories, repository_id, since,
    )
    return [
        PatternHit(
            r["pattern_id"], r["title"],
            f"{r['repository_id']}:{r['run_id'] if r['run_id'] is not None else 'x'}:{r['run_attempt']}:{r['job_id']}",
            (r["duration_seconds"] or 0.0) / 60.0,
        )
        for r in rows
    ]


async def fix_records(conn: Conn, scope: Scope, repository_id: int | None, since: datetime) -> list[FixRecord]:
    if not await _table_exists(conn, "fixes"):
        return []
    rows = await conn.fetch(
        f"""SELECT status, outcome FROM fixes f
             WHERE {_scoped('f')} AND ($3::bigint IS NULL OR f.repository_id = $3) AND f.created_at >= $4""",
        scope.installations, scope.repositories, repository_id, since,
    )
    return [FixRecord(r["status"], r["outcome"]) for r in rows]


async def deployment_statuses(
    conn: Conn, scope: Scope, repository_id: int | None, since: datetime
) -> list[DeploymentStatus]:
    """Statuses of production deployments (GitHub's ``production_environment`` flag, or the environment's
    name): previews and staging say nothing about delivery to users."""
    if not await _table_exists(conn, "deployments"):
        return []
    rows = await conn.fetch(
        f"""SELECT deployment_id, state, created_at, environment FROM deployments d
             WHERE {_scoped('d')} AND ($3::bigint IS NULL OR d.repository_id = $3) AND d.created_at >= $4
               AND (d.production IS TRUE OR lower(d.environment) IN ('production', 'prod'))""",
        scope.installations, scope.repositories, repository_id, since,
    )
    return [DeploymentStatus(r["deployment_id"], r["state"], r["created_at"], r["environment"]) for r in rows]
