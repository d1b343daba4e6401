"""Queries for suggested fixes, command executions, the audit log and quarantines. Every query filters on
``installation_id``: one installation never sees another's rows."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from .db import Conn

FIX_ID_ATTEMPTS = 8


def new_fix_id() -> str:
    """8 hex characters from the OS's CSPRNG: short enough to type, too many to guess in a PR's lifetime."""
    return secrets.token_hex(4)


def diff_hash(diff: str) -> str:
    return hashlib.sha256(diff.encode()).hexdigest()


@dataclass(frozen=True)
class FixRow:
    installation_id: int
    id: str
    repository_id: int
    repo_full_name: str
    pr_number: int | None
    head_sha: str
    source: str
    rule: str
    title: str
    explanation: str
    confidence: float
    score: float
    diff: str
    fingerprint: str | None
    links: tuple[str, ...]
    status: str
    decided_by: str | None
    reason: str | None
    commit_sha: str | None
    outcome: str | None
    created_at: datetime

    @classmethod
    def from_record(cls, r: asyncpg.Record) -> FixRow:
        return cls(
            installation_id=r["installation_id"],
            id=r["id"],
            repository_id=r["repository_id"],
            repo_full_name=r["repo_full_name"],
            pr_number=r["pr_number"],
            head_sha=r["head_sha"],
            source=r["source"],
            rule=r["rule"],
            title=r["title"],
            explanation=r["explanation"],
            confidence=float(r["confidence"]),
            score=float(r["score"]),
            diff=r["diff"],
            fingerprint=r["fingerprint"],
            links=tuple(r["links"] or ()),
            status=r["status"],
            decided_by=r["decided_by"],
            reason=r["reason"],
            commit_sha=r["commit_sha"],
            outcome=r["outcome"],
            created_at=r["created_at"],
        )


async def save_fix(
    db: Conn,
    *,
    installation_id: int,
    repository_id: int,
    repo_full_name: str,
    pr_number: int | None,
    head_sha: str,
    source: str,
    rule: str,
    title: str,
    explanation: str,
    confidence: float,
    score: float,
    diff: str,
    fingerprint: str | None,
    links: Sequence[str] = (),
) -> FixRow:
    """Store a verified suggestion; the same diff for the same head commit keeps its first id."""
    digest = diff_hash(diff)
    for _ in range(FIX_ID_ATTEMPTS):
        row = await db.fetchrow(
            """INSERT INTO fixes (installation_id, id, repository_id, repo_full_name, pr_number, head_sha,
                                  source, rule, title, explanation, confidence, score, diff, diff_hash,
                                  fingerprint, links)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
               ON CONFLICT DO NOTHING RETURNING *""",
            installation_id,
            new_fix_id(),
            repository_id,
            repo_full_name,
            pr_number,
            head_sha,
            source,
            rule,
            title,
            explanation,
            confidence,
            score,
            diff,
            digest,
            fingerprint,
            list(links),
        )
        if row is not None:
            return FixRow.from_record(row)
        existing = await db.fetchrow(
            "SELECT * FROM fixes WHERE installation_id = $1 AND repository_id = $2 AND head_sha = $3"
            " AND diff_hash = $4",
            installation_id,
            repository_id,
            head_sha,
            digest,
        )
        if existing is not None:
            return FixRow.from_record(existing)
        # else: the random id collided with another of this installation's fixes; draw again
    raise RuntimeError("could not allocate a unique fix id")


async def get_fix(db: Conn, installation_id: int, fix_id: str) -> FixRow | None:
    row = await db.fetchrow("SELECT * FROM fixes WHERE installation_id = $1 AND id = $2", installation_id, fix_id)
    return FixRow.from_record(row) if row else None


async def fixes_for_pr(db: Conn, installation_id: int, repository_id: int, pr_number: int) -> list[FixRow]:
    rows = await db.fetch(
        "SELECT * FROM fixes WHERE installation_id = $1 AND repository_id = $2 AND pr_number = $3"
        " ORDER BY created_at DESC, score DESC",
        installation_id,
        repository_id,
        pr_number,
    )
    return [FixRow.from_record(r) for r in rows]


async def set_fix_status(
    db: Conn,
    installation_id: int,
    fix_id: str,
    *,
    status: str,
    by: str | None,
    reason: str | None = None,
    commit_sha: str | None = None,
    expect: Sequence[str] = ("suggested", "failed"),
) -> bool:
    """Move a fix to ``status`` if it is still in one of ``expect`` (so two approvals cannot both apply)."""
    result: str = await db.execute(
        """UPDATE fixes SET status = $3, decided_by = $4, decided_at = now(), reason = $5,
                            commit_sha = COALESCE($6, commit_sha)
           WHERE installation_id = $1 AND id = $2 AND status = ANY($7::text[])""",
        installation_id,
        fix_id,
        status,
        by,
        reason,
        commit_sha,
        list(expect),
    )
    return result.endswith(" 1")


async def record_fix_outcomes(db: Conn, installation_id: int, repository_id: int, head_sha: str, passed: bool) -> int:
    """A run on a commit ci-triage made marks that commit's fixes worked or failed; returns how many changed.

    A commit has one run per workflow: any failing run marks the fix failed, even after another passed;
    a passing run never overrides a failure.
    """
    result: str = await db.execute(
        """UPDATE fixes SET outcome = $4, outcome_at = now()
           WHERE installation_id = $1 AND repository_id = $2 AND commit_sha = $3 AND status = 'applied'
             AND (outcome IS NULL OR ($4 = 'failed' AND outcome = 'worked'))""",
        installation_id,
        repository_id,
        head_sha,
        "worked" if passed else "failed",
    )
    return int(result.rsplit(" ", 1)[-1])


@dataclass(frozen=True)
class RulePerformance:
    worked: int
    failed: int


async def rule_performance(db: Conn, installation_id: int) -> dict[str, RulePerformance]:
    rows = await db.fetch(
        """SELECT source || ':' || rule AS key, count(*) FILTER (WHERE outcome = 'worked') AS worked,
                  count(*) FILTER (WHERE outcome = 'failed') AS failed
           FROM fixes WHERE installation_id = $1 AND outcome IS NOT NULL GROUP BY 1""",
        installation_id,
    )
    return {r["key"]: RulePerformance(r["worked"], r["failed"]) for r in rows}


async def failed_diff_hashes(db: Conn, installation_id: int, hashes: Sequence[str]) -> set[str]:
    """Which of these diffs were applied before and did not fix the failure."""
    rows = await db.fetch(
        "SELECT DISTINCT diff_hash FROM fixes WHERE installation_id = $1 AND diff_hash = ANY($2::text[])"
        " AND outcome = 'failed'",
        installation_id,
        list(hashes),
    )
    return {r["diff_hash"] for r in rows}


@dataclass(frozen=True)
class SourceStats:
    source: str
    suggested: int
    approved: int  # applied or offered as a review suggestion on approval
    rejected: int
    worked: int
    failed: int

    @property
    def approval_rate(self) -> float | None:
        decided = self.approved + self.rejected
        return self.approved / decided if decided else None

    @property
    def success_rate(self) -> float | None:
        judged = self.worked + self.failed
        return self.worked / judged if judged else None


async def fix_stats(
    db: Conn,
    installation_id: int,
    *,
    repository_id: int | None = None,
    since: datetime | None = None,
) -> list[SourceStats]:
    """Approval and success rates per source (history, rule, llm) for the dashboard."""
    rows = await db.fetch(
        """SELECT source, count(*) AS suggested,
                  count(*) FILTER (WHERE status IN ('applied', 'suggested_in_review')) AS approved,
                  count(*) FILTER (WHERE status = 'rejected') AS rejected,
                  count(*) FILTER (WHERE outcome = 'worked') AS worked,
                  count(*) FILTER (WHERE outcome = 'failed') AS failed
           FROM fixes
           WHERE installation_id = $1 AND ($2::bigint IS NULL OR repository_id = $2)
             AND ($3::timestamptz IS NULL OR created_at >= $3)
           GROUP BY source ORDER BY source""",
        installation_id,
        repository_id,
        since,
    )
    return [
        SourceStats(r["source"], r["suggested"], r["approved"], r["rejected"], r["worked"], r["failed"]) for r in rows
    ]


# --- commands ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """This worker holds a comment's (or button press's) commands until ``lease_until``.

    ``outcomes`` holds what earlier attempts finished (by command index), ``reply_url`` the reply they posted;
    ``taken_over`` says an earlier attempt held the claim (it failed, or its worker died)."""

    outcomes: dict[str, Any]
    reply_url: str | None
    claimed_at: datetime
    taken_over: bool


@dataclass(frozen=True)
class Busy:
    """Another worker holds the claim; its lease runs out in ``seconds``."""

    seconds: float


async def claim_execution(
    db: Conn,
    installation_id: int,
    source: str,
    key: str,
    *,
    repository_id: int | None,
    actor: str | None,
    lease_seconds: float = 300.0,
) -> Claim | Busy | None:
    """Claim a comment's commands: a ``Claim`` the first time, or when the previous holder's lease ran out
    before it finished (its worker died, or it released the lease after a transient error); ``Busy`` while
    another worker's lease runs; None once they ran (every later redelivery)."""
    row = await db.fetchrow(
        """INSERT INTO command_executions AS e (installation_id, source, key, repository_id, actor, state, lease_until)
           VALUES ($1, $2, $3, $4, $5, 'running', now() + make_interval(secs => $6))
           ON CONFLICT (installation_id, source, key) DO UPDATE
               SET lease_until = now() + make_interval(secs => $6), updated_at = now()
               WHERE e.state = 'running' AND (e.lease_until IS NULL OR e.lease_until <= now())
           RETURNING outcomes, reply_url, created_at, (xmax <> 0) AS taken_over""",
        installation_id,
        source,
        key,
        repository_id,
        actor,
        float(lease_seconds),
    )
    if row is not None:
        return Claim(dict(row["outcomes"] or {}), row["reply_url"], row["created_at"], bool(row["taken_over"]))
    held = await db.fetchrow(
        """SELECT state, extract(epoch FROM lease_until - now()) AS left_s FROM command_executions
           WHERE installation_id = $1 AND source = $2 AND key = $3""",
        installation_id,
        source,
        key,
    )
    if held is None or held["state"] == "done":
        return None
    return Busy(max(1.0, float(held["left_s"] or 1.0)))


async def record_command_outcome(
    db: Conn, installation_id: int, source: str, key: str, index: str, outcome: dict[str, Any]
) -> None:
    """What one command of a claimed execution did (or that it started a write whose effect is unknown)."""
    await db.execute(
        """UPDATE command_executions SET outcomes = outcomes || jsonb_build_object($4::text, $5::jsonb),
                  updated_at = now()
           WHERE installation_id = $1 AND source = $2 AND key = $3""",
        installation_id,
        source,
        key,
        index,
        outcome,
    )


async def record_reply(db: Conn, installation_id: int, source: str, key: str, url: str) -> None:
    await db.execute(
        """UPDATE command_executions SET reply_url = $4, updated_at = now()
           WHERE installation_id = $1 AND source = $2 AND key = $3""",
        installation_id,
        source,
        key,
        url,
    )


async def finish_execution(db: Conn, installation_id: int, source: str, key: str) -> None:
    await db.execute(
        """UPDATE command_executions SET state = 'done', lease_until = NULL, updated_at = now()
           WHERE installation_id = $1 AND source = $2 AND key = $3""",
        installation_id,
        source,
        key,
    )


async def release_execution(db: Conn, installation_id: int, source: str, key: str) -> None:
    """End the lease of a claim whose commands failed on a transient error, so the retried job takes it over
    at once (what finished stays recorded)."""
    await db.execute(
        """UPDATE command_executions SET lease_until = now(), updated_at = now()
           WHERE installation_id = $1 AND source = $2 AND key = $3 AND state = 'running'""",
        installation_id,
        source,
        key,
    )


async def audit(
    db: Conn,
    *,
    installation_id: int,
    repository_id: int | None,
    actor: str,
    action: str,
    target: str | None,
    result: str,
    message: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await db.execute(
        """INSERT INTO audit_log
               (installation_id, repository_id, actor, action, target, result, message, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        installation_id,
        repository_id,
        actor,
        action,
        target,
        result,
        (message or "")[:2000] or None,
        detail or {},
    )


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    action: str
    target: str | None
    result: str
    message: str | None
    detail: dict[str, Any]
    created_at: datetime


async def audit_entries(db: Conn, installation_id: int, *, limit: int = 100) -> list[AuditEntry]:
    rows = await db.fetch(
        "SELECT * FROM audit_log WHERE installation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        installation_id,
        limit,
    )
    return [
        AuditEntry(r["actor"], r["action"], r["target"], r["result"], r["message"], r["detail"], r["created_at"])
        for r in rows
    ]


# --- quarantine -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarantine:
    test_id: str
    created_by: str
    created_at: datetime
    expires_at: datetime


async def quarantine_test(
    db: Conn,
    *,
    installation_id: int,
    repository_id: int,
    test_id: str,
    by: str,
    days: int,
) -> Quarantine:
    """Quarantine (or extend the quarantine of) a test for ``days`` from now."""
    await db.execute(  # an expired quarantine is closed first, so the new one starts afresh
        """UPDATE quarantines SET ended_at = expires_at
           WHERE installation_id = $1 AND repository_id = $2 AND test_id = $3 AND ended_at IS NULL
             AND expires_at <= now()""",
        installation_id,
        repository_id,
        test_id,
    )
    row = await db.fetchrow(
        """INSERT INTO quarantines (installation_id, repository_id, test_id, created_by, expires_at)
           VALUES ($1, $2, $3, $4, now() + $5::interval)
           ON CONFLICT (installation_id, repository_id, test_id) WHERE ended_at IS NULL
           DO UPDATE SET expires_at = EXCLUDED.expires_at, created_by = EXCLUDED.created_by
           RETURNING test_id, created_by, created_at, expires_at""",
        installation_id,
        repository_id,
        test_id,
        by,
        timedelta(days=days),
    )
    assert row is not None
    return Quarantine(row["test_id"], row["created_by"], row["created_at"], row["expires_at"])


async def end_quarantine(db: Conn, *, installation_id: int, repository_id: int, test_id: str, by: str) -> bool:
    result: str = await db.execute(
        """UPDATE quarantines SET ended_at = now(), ended_by = $4
           WHERE installation_id = $1 AND repository_id = $2 AND test_id = $3 AND ended_at IS NULL
             AND expires_at > now()""",
        installation_id,
        repository_id,
        test_id,
        by,
    )
    return result.endswith(" 1")


async def active_quarantines(db: Conn, installation_id: int, repository_id: int) -> list[Quarantine]:
    """Tests quarantined now in this repository (for reports: their failures do not block)."""
    rows = await db.fetch(
        """SELECT test_id, created_by, created_at, expires_at FROM quarantines
           WHERE installation_id = $1 AND repository_id = $2 AND ended_at IS NULL AND expires_at > now()
           ORDER BY test_id""",
        installation_id,
        repository_id,
    )
    return [Quarantine(r["test_id"], r["created_by"], r["created_at"], r["expires_at"]) for r in rows]


# --- context for /triage explain ----------------------------------------------------------------------------


async def save_context(
    db: Conn,
    *,
    installation_id: int,
    repository_id: int,
    pr_number: int,
    head_sha: str,
    failures: list[dict[str, Any]],
) -> None:
    await db.execute(
        """INSERT INTO fix_contexts (installation_id, repository_id, pr_number, head_sha, failures)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (installation_id, repository_id, pr_number)
           DO UPDATE SET head_sha = EXCLUDED.head_sha, failures = EXCLUDED.failures, created_at = now()""",
        installation_id,
        repository_id,
        pr_number,
        head_sha,
        failures,
    )


async def latest_context(
    db: Conn,
    installation_id: int,
    repository_id: int,
    pr_number: int,
) -> tuple[str, list[dict[str, Any]]] | None:
    row = await db.fetchrow(
        "SELECT head_sha, failures FROM fix_contexts WHERE installation_id = $1 AND repository_id = $2"
        " AND pr_number = $3",
        installation_id,
        repository_id,
        pr_number,
    )
    return (row["head_sha"], row["failures"]) if row else None
