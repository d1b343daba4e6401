"""History queries (asyncpg). Every statement on tenant data filters on ``installation_id``.

The pure decisions (which pattern, new centroid, flake scores, recommendations) live in ``analysis``; this
module only reads and writes rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import numpy as np

from analysis.embedding import Vectors
from analysis.flakiness import Outcome, TestOutcome
from analysis.matching import Occurrence

from .db import Connection as Conn

HNSW_INDEXES = {
    "failures_embedding_hnsw": "failures USING hnsw (embedding vector_cosine_ops)",
    "patterns_centroid_hnsw": "patterns USING hnsw (centroid vector_cosine_ops)",
}
DEFAULT_EF_SEARCH = 150  # recall@5 0.97 at 1M vectors, p99 8 ms (benchmarks/history.py); pgvector: 40


class EmbedderMismatchError(RuntimeError):
    """Stored vectors come from another embedder; ``ci-triage reembed`` converts them."""


# --- the vector space -------------------------------------------------------------------------------------


async def active_embedder(conn: Conn) -> tuple[str, int] | None:
    row = await conn.fetchrow("SELECT name, dim FROM history_embedder")
    return (row["name"], row["dim"]) if row else None


async def _has_vectors(conn: Conn) -> bool:
    # Schema-level check across tenants (is any vector stored at all?), not a tenant read.
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM failures WHERE embedding IS NOT NULL)"
            " OR EXISTS (SELECT 1 FROM patterns WHERE centroid IS NOT NULL)"
        )
    )


async def set_vector_dimension(conn: Conn, dim: int) -> None:
    """Type both vector columns as ``vector(dim)`` and rebuild the HNSW indexes (inside a transaction)."""
    for name in HNSW_INDEXES:
        await conn.execute(f"DROP INDEX IF EXISTS {name}")
    await conn.execute(f"ALTER TABLE failures ALTER COLUMN embedding TYPE vector({int(dim)})")
    await conn.execute(f"ALTER TABLE patterns ALTER COLUMN centroid TYPE vector({int(dim)})")
    await create_vector_indexes(conn)


async def create_vector_indexes(conn: Conn) -> None:
    for name, target in HNSW_INDEXES.items():
        await conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def ensure_vector_space(conn: Conn, name: str, dim: int) -> None:
    """Record the active embedder on first use; refuse a different one while vectors exist."""
    async with conn.transaction():
        await conn.execute("LOCK TABLE history_embedder IN EXCLUSIVE MODE")
        current = await active_embedder(conn)
        if current == (name, dim):
            return
        if current is not None and await _has_vectors(conn):
            raise EmbedderMismatchError(
                f"stored vectors come from embedder {current[0]} ({current[1]} dimensions), the configured "
                f"one is {name} ({dim}); run `ci-triage reembed` to convert the history, or configure the "
                "old embedder"
            )
        await set_vector_dimension(conn, dim)
        await conn.execute(
            """INSERT INTO history_embedder (singleton, name, dim) VALUES (true, $1, $2)
               ON CONFLICT (singleton) DO UPDATE SET name = $1, dim = $2, updated_at = now()""",
            name,
            dim,
        )


async def set_ef_search(conn: Conn, ef: int = DEFAULT_EF_SEARCH) -> None:
    """Per transaction: more candidates for recall, and iterate when the installation filter drops rows."""
    await conn.execute(f"SET LOCAL hnsw.ef_search = {int(ef)}")
    await conn.execute("SET LOCAL hnsw.iterative_scan = strict_order")


# --- patterns ---------------------------------------------------------------------------------------------


PATTERN_COLUMNS = (
    "id, installation_id, kind, tool, title, test_id, representative_failure_id, occurrences, first_seen,"
    " last_seen, repositories, status, resolution, signature_key"
)


async def lock_fingerprint(conn: Conn, installation_id: int, fingerprint: str) -> None:
    """Serialize assignment of one fingerprint in one installation until the transaction ends."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1::bigint::text || ':' || $2, 0))",
        installation_id,
        fingerprint,
    )


async def fingerprint_owner(conn: Conn, installation_id: int, fingerprint: str) -> int | None:
    value = await conn.fetchval(
        "SELECT pattern_id FROM pattern_fingerprints WHERE installation_id = $1 AND fingerprint = $2",
        installation_id,
        fingerprint,
    )
    return int(value) if value is not None else None


async def first_owner(conn: Conn, installation_id: int, fingerprints: Sequence[str]) -> int | None:
    """The oldest pattern owning any of ``fingerprints``."""
    if not fingerprints:
        return None
    value = await conn.fetchval(
        """SELECT pattern_id FROM pattern_fingerprints
           WHERE installation_id = $1 AND fingerprint = ANY($2::text[]) ORDER BY pattern_id LIMIT 1""",
        installation_id,
        list(fingerprints),
    )
    return int(value) if value is not None else None


async def nearest_patterns(
    conn: Conn, installation_id: int, vector: Vectors, k: int = 5, *, scope_key: str | None = None
) -> list[tuple[int, float]]:
    """The ``k`` nearest pattern centroids; with ``scope_key``, only patterns of that signature scope."""
    if scope_key is None:
        rows = await conn.fetch(
            """SELECT id, 1 - (centroid <=> $2) AS similarity FROM patterns
               WHERE installation_id = $1 AND centroid IS NOT NULL
               ORDER BY centroid <=> $2 LIMIT $3""",
            installation_id,
            vector,
            k,
        )
    else:
        rows = await conn.fetch(
            """SELECT id, 1 - (centroid <=> $2) AS similarity FROM patterns
               WHERE installation_id = $1 AND scope_key = $4 AND centroid IS NOT NULL
               ORDER BY centroid <=> $2 LIMIT $3""",
            installation_id,
            vector,
            k,
            scope_key,
        )
    # A zero vector (a text without tokens) has no cosine: PostgreSQL answers NaN, which no caller can use.
    return [(int(r["id"]), float(r["similarity"])) for r in rows if not math.isnan(r["similarity"])]


async def create_pattern(
    conn: Conn,
    installation_id: int,
    *,
    kind: str,
    tool: str,
    title: str,
    test_id: str | None,
    text: str,
    centroid: Vectors,
    repository_id: int,
    seen_at: datetime,
    signature: dict[str, Any] | None = None,
) -> int:
    value = await conn.fetchval(
        """INSERT INTO patterns (installation_id, kind, tool, title, test_id, representative_text, centroid,
                                 occurrences, first_seen, last_seen, repositories, signature_key, scope_key,
                                 signature)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, ARRAY[$9::bigint], $10, $11, $12) RETURNING id""",
        installation_id,
        kind,
        tool,
        title,
        test_id,
        text,
        centroid,
        seen_at,
        repository_id,
        signature["key"] if signature else None,
        signature["scope"] if signature else None,
        signature,
    )
    return int(value)


async def pattern_refinements(conn: Conn, installation_id: int, pattern_ids: Sequence[int]) -> dict[int, list[str]]:
    """The refinements (``FailureSignature.refinements``) each pattern's signature holds: the code its members
    printed, which another failure's code must not contradict to join it."""
    if not pattern_ids:
        return {}
    rows = await conn.fetch(
        """SELECT id, signature->'refinements' AS refinements FROM patterns
           WHERE installation_id = $1 AND id = ANY($2::bigint[])""",
        installation_id,
        list(pattern_ids),
    )
    return {int(r["id"]): [str(x) for x in (_json_list(r["refinements"]))] for r in rows}


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        value = json.loads(value)
    return list(value) if isinstance(value, list) else []


async def set_pattern_refinements(
    conn: Conn, installation_id: int, pattern_id: int, refinements: Sequence[str]
) -> None:
    """A member printed code its pattern's signature did not know yet: the pattern holds it from now on."""
    await conn.execute(
        """UPDATE patterns SET signature = jsonb_set(signature, '{refinements}', $3::jsonb)
           WHERE installation_id = $1 AND id = $2 AND signature IS NOT NULL""",
        installation_id,
        pattern_id,
        list(refinements),  # the pool's jsonb codec encodes it
    )


async def pattern_loci(conn: Conn, installation_id: int, pattern_ids: Sequence[int]) -> dict[int, list[str]]:
    """The change loci (``analysis.change_loci``) each pattern's members were broken by, where any was known."""
    if not pattern_ids:
        return {}
    rows = await conn.fetch(
        """SELECT id, change_loci FROM patterns
           WHERE installation_id = $1 AND id = ANY($2::bigint[]) AND change_loci IS NOT NULL""",
        installation_id,
        list(pattern_ids),
    )
    return {int(r["id"]): list(r["change_loci"]) for r in rows}


async def loci_of_key(
    conn: Conn, installation_id: int, signature_key: str, *, limit: int = 50
) -> list[tuple[int, list[str]]]:
    """The patterns of one signature key with the change loci known for them, oldest first (a thin test failure's
    key may have several: one per place its faults were changed)."""
    rows = await conn.fetch(
        """SELECT id, change_loci FROM patterns
           WHERE installation_id = $1 AND signature_key = $2 AND change_loci IS NOT NULL ORDER BY id LIMIT $3""",
        installation_id,
        signature_key,
        limit,
    )
    return [(int(r["id"]), list(r["change_loci"])) for r in rows]


async def add_pattern_loci(
    conn: Conn, installation_id: int, pattern_id: int, loci: Sequence[str], *, limit: int = 500
) -> None:
    """A member's change loci join its pattern's (at most ``limit``: a pattern's places are few)."""
    await conn.execute(
        """UPDATE patterns SET change_loci = (
               SELECT array_agg(l ORDER BY l) FROM (
                   SELECT DISTINCT unnest(coalesce(change_loci, '{}') || $3::text[]) AS l LIMIT $4) AS merged)
           WHERE installation_id = $1 AND id = $2""",
        installation_id,
        pattern_id,
        list(loci),
        limit,
    )


async def add_fingerprint(conn: Conn, installation_id: int, fingerprint: str, pattern_id: int) -> None:
    await conn.execute(
        """INSERT INTO pattern_fingerprints (installation_id, fingerprint, pattern_id) VALUES ($1, $2, $3)
           ON CONFLICT (installation_id, fingerprint) DO NOTHING""",
        installation_id,
        fingerprint,
        pattern_id,
    )


def as_array(value: Any) -> Vectors | None:
    """pgvector's ``Vector`` (or None) as a float32 numpy row."""
    if value is None:
        return None
    data = value.to_numpy() if hasattr(value, "to_numpy") else value
    return np.asarray(data, dtype=np.float32)


async def pattern_for_update(conn: Conn, installation_id: int, pattern_id: int) -> tuple[int, Vectors | None] | None:
    """(occurrences, centroid) of a pattern, row-locked until the transaction ends."""
    row = await conn.fetchrow(
        "SELECT occurrences, centroid FROM patterns WHERE installation_id = $1 AND id = $2 FOR UPDATE",
        installation_id,
        pattern_id,
    )
    return (int(row["occurrences"]), as_array(row["centroid"])) if row else None


async def count_occurrence(
    conn: Conn,
    installation_id: int,
    pattern_id: int,
    *,
    repository_id: int,
    seen_at: datetime,
    centroid: Vectors | None,
    failure_id: int | None,
    count: bool = True,
) -> asyncpg.Record:
    """Record a sighting; ``count``: a new occurrence (False for a repeat within the same run)."""
    row: asyncpg.Record = await conn.fetchrow(
        f"""UPDATE patterns SET
               occurrences = occurrences + CASE WHEN $7 THEN 1 ELSE 0 END,
               first_seen = LEAST(first_seen, $3),
               last_seen = GREATEST(last_seen, $3),
               repositories = CASE WHEN $4::bigint = ANY(repositories) THEN repositories
                                   ELSE repositories || $4::bigint END,
               centroid = COALESCE($5, centroid),
               representative_failure_id = COALESCE(representative_failure_id, $6),
               updated_at = now()
           WHERE installation_id = $1 AND id = $2
           RETURNING {PATTERN_COLUMNS}""",
        installation_id,
        pattern_id,
        seen_at,
        repository_id,
        centroid,
        failure_id,
        count,
    )
    return row


async def get_pattern(conn: Conn, installation_id: int, pattern_id: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {PATTERN_COLUMNS} FROM patterns WHERE installation_id = $1 AND id = $2",
        installation_id,
        pattern_id,
    )
    return row


async def list_patterns(
    conn: Conn,
    installation_id: int,
    *,
    limit: int = 50,
    offset: int = 0,
    repository_id: int | None = None,
    status: str | None = None,
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"""SELECT {PATTERN_COLUMNS} FROM patterns
            WHERE installation_id = $1 AND ($2::bigint IS NULL OR $2::bigint = ANY(repositories))
              AND ($3::text IS NULL OR status = $3)
            ORDER BY last_seen DESC, id DESC LIMIT $4 OFFSET $5""",
            installation_id,
            repository_id,
            status,
            limit,
            offset,
        )
    )


async def count_patterns(conn: Conn, installation_id: int) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM patterns WHERE installation_id = $1", installation_id))


async def set_pattern_status(conn: Conn, installation_id: int, pattern_id: int, status: str) -> bool:
    result = await conn.execute(
        "UPDATE patterns SET status = $3, updated_at = now() WHERE installation_id = $1 AND id = $2",
        installation_id,
        pattern_id,
        status,
    )
    return bool(result.endswith(" 1"))


async def set_resolution(
    conn: Conn, installation_id: int, pattern_ids: Sequence[int], resolution: dict[str, Any]
) -> None:
    await conn.execute(
        """UPDATE patterns SET resolution = $3, updated_at = now()
           WHERE installation_id = $1 AND id = ANY($2::bigint[])""",
        installation_id,
        list(pattern_ids),
        resolution,
    )


async def search_patterns(
    conn: Conn, installation_id: int, vector: Vectors, *, top_k: int, threshold: float
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"""SELECT * FROM (
                SELECT {PATTERN_COLUMNS}, 1 - (centroid <=> $2) AS similarity FROM patterns
                WHERE installation_id = $1 AND centroid IS NOT NULL
                ORDER BY centroid <=> $2 LIMIT $3) hits
            WHERE similarity >= $4 AND similarity <> 'NaN' ORDER BY similarity DESC, id""",
            installation_id,
            vector,
            top_k,
            threshold,
        )
    )


# --- failures ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunWhere:
    """Where a failure was seen; ``run_id`` + ``job_id`` make recording idempotent for a retried job."""

    run_id: int | None = None
    run_attempt: int = 1
    job_id: int | None = None
    job_name: str | None = None
    head_sha: str | None = None
    branch: str | None = None
    pr_number: int | None = None
    run_number: int | None = None


@dataclass(frozen=True)
class FailureRow:
    repository_id: int
    pattern_id: int
    kind: str
    tool: str
    test_id: str | None
    message: str
    file: str | None
    line: int | None
    fingerprint: str
    text: str
    how: str
    similarity: float
    embedding: Vectors
    seen_at: datetime
    run: RunWhere = RunWhere()
    excerpt: str | None = None
    test_file: str | None = None
    test_line: int | None = None
    signature_key: str | None = None
    occurrences: int = 1  # repeats of the message folded into the failure (``Failure.occurrences``)
    files: tuple[tuple[str, int], ...] = ()  # their first files with counts
    file_count: int = 0  # their distinct files in all
    symbol: str | None = None  # the enclosing symbol read from the source (analysis.enclosing), part of the signature
    code_line: str | None = None  # the failure's line as the source has it (analysis.source_line), ditto


async def insert_failure(conn: Conn, installation_id: int, row: FailureRow) -> int:
    value = await conn.fetchval(
        """INSERT INTO failures (installation_id, repository_id, pattern_id, run_id, run_attempt, job_id,
                                 job_name, head_sha, branch, pr_number, kind, tool, test_id, message, file,
                                 line, fingerprint, text, excerpt, how, similarity, embedding, seen_at,
                                 test_file, test_line, signature_key, run_number, occurrences, repeated_in,
                                 file_count, symbol, code_line)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                   $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)
           RETURNING id""",
        installation_id,
        row.repository_id,
        row.pattern_id,
        row.run.run_id,
        row.run.run_attempt,
        row.run.job_id,
        row.run.job_name,
        row.run.head_sha,
        row.run.branch,
        row.run.pr_number,
        row.kind,
        row.tool,
        row.test_id,
        row.message,
        row.file,
        row.line,
        row.fingerprint,
        row.text,
        row.excerpt,
        row.how,
        row.similarity,
        row.embedding,
        row.seen_at,
        row.test_file,
        row.test_line,
        row.signature_key,
        row.run.run_number,
        row.occurrences,
        [list(f) for f in row.files] if row.files else None,
        row.file_count,
        row.symbol,
        row.code_line,
    )
    return int(value)


async def recorded_failure(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    run_id: int,
    run_attempt: int,
    job_id: int,
    fingerprint: str,
) -> asyncpg.Record | None:
    """The row an earlier attempt of this same job already recorded (idempotent retries)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT id, pattern_id, how, similarity FROM failures
           WHERE installation_id = $1 AND repository_id = $2 AND run_id = $3 AND run_attempt = $4
             AND job_id = $5 AND fingerprint = $6""",
        installation_id,
        repository_id,
        run_id,
        run_attempt,
        job_id,
        fingerprint,
    )
    return row


async def seen_in_run(conn: Conn, installation_id: int, pattern_id: int, *, run_id: int, run_attempt: int) -> bool:
    """Whether the pattern already occurred in this run attempt (another job, or earlier in this one)."""
    return bool(
        await conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM failures WHERE installation_id = $1 AND pattern_id = $2
                                 AND run_id = $3 AND run_attempt = $4)""",
            installation_id,
            pattern_id,
            run_id,
            run_attempt,
        )
    )


async def earlier_occurrences(
    conn: Conn,
    installation_id: int,
    pattern_id: int,
    *,
    run_id: int | None,
    run_attempt: int,
    before: datetime,
    strictly: bool = False,
    limit: int = 60,
) -> list[Occurrence]:
    """The pattern's latest failures seen before ``before`` (at it too unless ``strictly``), outside this run
    attempt (one row per failure; ``analysis.matching.per_run`` folds them into runs)."""
    rows = await conn.fetch(
        """SELECT run_id, run_attempt, run_number, pr_number, branch, head_sha, repository_id, job_name, seen_at
           FROM failures
           WHERE installation_id = $1 AND pattern_id = $2 AND seen_at <= $5 AND NOT ($7 AND seen_at = $5)
             AND NOT (run_id IS NOT DISTINCT FROM $3 AND run_attempt = $4 AND $3::bigint IS NOT NULL)
           ORDER BY seen_at DESC, id DESC LIMIT $6""",
        installation_id,
        pattern_id,
        run_id,
        run_attempt,
        before,
        limit,
        strictly,
    )
    return [
        Occurrence(
            run_id=r["run_id"],
            run_attempt=r["run_attempt"],
            seen_at=r["seen_at"],
            run_number=r["run_number"],
            pr_number=r["pr_number"],
            branch=r["branch"],
            head_sha=r["head_sha"],
            repository_id=r["repository_id"],
            job_name=r["job_name"],
        )
        for r in rows
    ]


async def search_failures(
    conn: Conn, installation_id: int, vector: Vectors, *, top_k: int, threshold: float = -1.0
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT * FROM (
               SELECT id, pattern_id, repository_id, test_id, message, seen_at,
                      1 - (embedding <=> $2) AS similarity FROM failures
               WHERE installation_id = $1 AND embedding IS NOT NULL
               ORDER BY embedding <=> $2 LIMIT $3) hits
           WHERE similarity >= $4 AND similarity <> 'NaN' ORDER BY similarity DESC, id""",
            installation_id,
            vector,
            top_k,
            threshold,
        )
    )


async def count_failures(conn: Conn, installation_id: int, *, pattern_id: int | None = None) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM failures WHERE installation_id = $1 AND ($2::bigint IS NULL OR pattern_id = $2)",
            installation_id,
            pattern_id,
        )
    )


async def list_failures(
    conn: Conn, installation_id: int, *, pattern_id: int | None = None, limit: int = 50
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT id, repository_id, pattern_id, run_id, run_attempt, job_id, job_name, head_sha, branch,
                  pr_number, kind, tool, test_id, message, file, line, fingerprint, how, similarity, seen_at
           FROM failures WHERE installation_id = $1 AND ($2::bigint IS NULL OR pattern_id = $2)
           ORDER BY seen_at DESC, id DESC LIMIT $3""",
            installation_id,
            pattern_id,
            limit,
        )
    )


async def latest_failing_sha(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    branch: str | None,
    pr_number: int | None,
    before_sha: str,
) -> str | None:
    value = await conn.fetchval(
        """SELECT head_sha FROM failures
           WHERE installation_id = $1 AND repository_id = $2 AND head_sha IS NOT NULL AND head_sha <> $5
             AND (($4::int IS NOT NULL AND pr_number = $4) OR ($4::int IS NULL AND branch = $3))
           ORDER BY seen_at DESC, id DESC LIMIT 1""",
        installation_id,
        repository_id,
        branch,
        pr_number,
        before_sha,
    )
    return str(value) if value is not None else None


async def patterns_failing_on(conn: Conn, installation_id: int, repository_id: int, head_sha: str) -> list[int]:
    rows = await conn.fetch(
        """SELECT DISTINCT pattern_id FROM failures
           WHERE installation_id = $1 AND repository_id = $2 AND head_sha = $3 AND pattern_id IS NOT NULL""",
        installation_id,
        repository_id,
        head_sha,
    )
    return [int(r["pattern_id"]) for r in rows]


async def pattern_tests(
    conn: Conn, installation_id: int, pattern_ids: Sequence[int], repository_id: int | None = None
) -> list[tuple[int, str]]:
    rows = await conn.fetch(
        """SELECT DISTINCT pattern_id, test_id FROM failures
           WHERE installation_id = $1 AND pattern_id = ANY($2::bigint[]) AND test_id IS NOT NULL
             AND ($3::bigint IS NULL OR repository_id = $3)
           UNION
           SELECT id, test_id FROM patterns
           WHERE installation_id = $1 AND id = ANY($2::bigint[]) AND test_id IS NOT NULL""",
        installation_id,
        list(pattern_ids),
        repository_id,
    )
    return [(int(r["pattern_id"]), str(r["test_id"])) for r in rows]


# --- test outcomes and changes ----------------------------------------------------------------------------


async def insert_test_outcomes(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    outcomes: Iterable[TestOutcome],
    *,
    pr_number: int | None = None,
) -> int:
    rows = [
        (
            installation_id,
            repository_id,
            o.test_id,
            o.head_sha,
            o.run_id or 0,
            o.run_attempt,
            o.job,
            o.branch,
            pr_number,
            o.outcome.value,
            o.infra,
            o.recorded_at,
        )
        for o in outcomes
    ]
    if not rows:
        return 0
    await conn.executemany(
        """INSERT INTO test_outcomes (installation_id, repository_id, test_id, head_sha, run_id, run_attempt,
                                      job, branch, pr_number, outcome, infra, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (installation_id, repository_id, test_id, head_sha, run_id, run_attempt, job)
           DO UPDATE SET outcome = EXCLUDED.outcome, infra = EXCLUDED.infra""",
        rows,
    )
    return len(rows)


async def test_outcomes(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    since: datetime,
    test_ids: Sequence[str] | None = None,
) -> list[TestOutcome]:
    rows = await conn.fetch(
        """SELECT test_id, head_sha, outcome, recorded_at, run_id, run_attempt, job, branch, infra
           FROM test_outcomes
           WHERE installation_id = $1 AND repository_id = $2 AND recorded_at >= $3
             AND ($4::text[] IS NULL OR test_id = ANY($4::text[]))""",
        installation_id,
        repository_id,
        since,
        list(test_ids) if test_ids is not None else None,
    )
    return [_test_outcome(r) for r in rows]


def _test_outcome(r: asyncpg.Record) -> TestOutcome:
    return TestOutcome(
        test_id=r["test_id"],
        head_sha=r["head_sha"],
        outcome=Outcome(r["outcome"]),
        recorded_at=r["recorded_at"],
        run_id=r["run_id"],
        run_attempt=r["run_attempt"],
        job=r["job"],
        branch=r["branch"],
        infra=r["infra"],
    )


async def outcomes_of_job_runs(
    conn: Conn, installation_id: int, repository_id: int, job_runs: Sequence[tuple[int, int, str]]
) -> list[TestOutcome]:
    """All outcomes of the given job runs: needed to tell mass (infrastructure) failures from single ones."""
    if not job_runs:
        return []
    rows = await conn.fetch(
        """SELECT t.test_id, t.head_sha, t.outcome, t.recorded_at, t.run_id, t.run_attempt, t.job, t.branch,
                  t.infra FROM test_outcomes t
           JOIN unnest($3::bigint[], $4::int[], $5::text[]) AS j(run_id, run_attempt, job)
             ON t.run_id = j.run_id AND t.run_attempt = j.run_attempt AND t.job = j.job
           WHERE t.installation_id = $1 AND t.repository_id = $2""",
        installation_id,
        repository_id,
        [j[0] for j in job_runs],
        [j[1] for j in job_runs],
        [j[2] for j in job_runs],
    )
    return [_test_outcome(r) for r in rows]


async def known_tests(conn: Conn, installation_id: int, repository_id: int, *, limit: int = 20000) -> list[str]:
    rows = await conn.fetch(
        """SELECT test_id FROM (
               SELECT test_id, max(recorded_at) AS at FROM test_outcomes
               WHERE installation_id = $1 AND repository_id = $2 GROUP BY test_id
               UNION ALL
               SELECT test_id, max(seen_at) FROM failures
               WHERE installation_id = $1 AND repository_id = $2 AND test_id IS NOT NULL GROUP BY test_id) t
           GROUP BY test_id ORDER BY max(at) DESC LIMIT $3""",
        installation_id,
        repository_id,
        limit,
    )
    return [str(r["test_id"]) for r in rows]


async def upsert_change_files(
    conn: Conn,
    installation_id: int,
    repository_id: int,
    *,
    head_sha: str,
    pr_number: int | None,
    files: Sequence[str],
) -> None:
    await conn.execute(
        """INSERT INTO change_files (installation_id, repository_id, head_sha, pr_number, files)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (installation_id, repository_id, head_sha)
           DO UPDATE SET files = EXCLUDED.files,
                         pr_number = COALESCE(EXCLUDED.pr_number, change_files.pr_number)""",
        installation_id,
        repository_id,
        head_sha,
        pr_number,
        list(files),
    )


async def changes_with_failed_tests(
    conn: Conn, installation_id: int, repository_id: int, *, since: datetime
) -> list[tuple[list[str], list[str]]]:
    """(files changed, tests that failed) per commit: the material for co-failure recommendations."""
    rows = await conn.fetch(
        """SELECT c.files, array_agg(DISTINCT t.test_id) AS tests FROM change_files c
           JOIN (SELECT head_sha, test_id FROM test_outcomes
                 WHERE installation_id = $1 AND repository_id = $2 AND outcome = 'failed' AND NOT infra
                 UNION
                 SELECT head_sha, test_id FROM failures
                 WHERE installation_id = $1 AND repository_id = $2 AND test_id IS NOT NULL
                   AND kind <> 'infra') t ON t.head_sha = c.head_sha
           WHERE c.installation_id = $1 AND c.repository_id = $2 AND c.recorded_at >= $3
           GROUP BY c.head_sha, c.files""",
        installation_id,
        repository_id,
        since,
    )
    return [(list(r["files"]), list(r["tests"])) for r in rows]


async def default_branch(conn: Conn, installation_id: int, repository_id: int) -> str | None:
    if not await conn.fetchval("SELECT to_regclass('repositories') IS NOT NULL"):
        return None
    value = await conn.fetchval(
        "SELECT default_branch FROM repositories WHERE installation_id = $1 AND id = $2",
        installation_id,
        repository_id,
    )
    return str(value) if value else None


# --- retention --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purged:
    failures: int = 0
    excerpts: int = 0
    test_outcomes: int = 0
    changes: int = 0


async def installations_with_history(conn: Conn) -> list[int]:
    rows = await conn.fetch(
        "SELECT installation_id FROM failures UNION SELECT installation_id FROM test_outcomes"
        " UNION SELECT installation_id FROM change_files"
    )
    return [int(r["installation_id"]) for r in rows]


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def purge_installation(
    conn: Conn, installation_id: int, *, excerpts_before: datetime, failures_before: datetime
) -> Purged:
    """Expire raw excerpts, then failures, outcomes, change lists. Patterns (centroids, resolutions) stay."""
    async with conn.transaction():
        excerpts = await conn.execute(
            "UPDATE failures SET excerpt = NULL WHERE installation_id = $1 AND seen_at < $2 AND excerpt IS NOT NULL",
            installation_id,
            excerpts_before,
        )
        failures = await conn.execute(
            "DELETE FROM failures WHERE installation_id = $1 AND seen_at < $2",
            installation_id,
            failures_before,
        )
        outcomes = await conn.execute(
            "DELETE FROM test_outcomes WHERE installation_id = $1 AND recorded_at < $2",
            installation_id,
            failures_before,
        )
        changes = await conn.execute(
            "DELETE FROM change_files WHERE installation_id = $1 AND recorded_at < $2",
            installation_id,
            failures_before,
        )
    return Purged(_count(failures), _count(excerpts), _count(outcomes), _count(changes))


# --- re-embedding -----------------------------------------------------------------------------------------


async def failure_texts(conn: Conn, installation_id: int, *, after_id: int, limit: int) -> list[tuple[int, str]]:
    rows = await conn.fetch(
        "SELECT id, text FROM failures WHERE installation_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        installation_id,
        after_id,
        limit,
    )
    return [(int(r["id"]), str(r["text"])) for r in rows]


async def set_failure_vectors(conn: Conn, installation_id: int, ids: Sequence[int], vectors: Vectors) -> None:
    await conn.executemany(
        "UPDATE failures SET embedding = $3 WHERE installation_id = $1 AND id = $2",
        [(installation_id, i, np.asarray(v)) for i, v in zip(ids, vectors, strict=True)],
    )


async def pattern_members(conn: Conn, installation_id: int) -> list[tuple[int, str, list[int]]]:
    rows = await conn.fetch(
        """SELECT p.id, p.representative_text,
                  COALESCE(array_agg(f.id) FILTER (WHERE f.id IS NOT NULL), '{}') AS members
           FROM patterns p
           LEFT JOIN failures f ON f.installation_id = p.installation_id AND f.pattern_id = p.id
           WHERE p.installation_id = $1 GROUP BY p.id ORDER BY p.id""",
        installation_id,
    )
    return [(int(r["id"]), str(r["representative_text"]), list(r["members"])) for r in rows]


async def failure_vectors(conn: Conn, installation_id: int, ids: Sequence[int]) -> Vectors:
    rows = await conn.fetch(
        "SELECT embedding FROM failures WHERE installation_id = $1 AND id = ANY($2::bigint[])"
        " AND embedding IS NOT NULL ORDER BY id",
        installation_id,
        list(ids),
    )
    return np.asarray([as_array(r["embedding"]) for r in rows], dtype=np.float32)


async def set_centroid(conn: Conn, installation_id: int, pattern_id: int, centroid: Vectors) -> None:
    await conn.execute(
        "UPDATE patterns SET centroid = $3 WHERE installation_id = $1 AND id = $2",
        installation_id,
        pattern_id,
        centroid,
    )


async def installations_with_patterns(conn: Conn) -> list[int]:
    rows = await conn.fetch("SELECT installation_id FROM patterns UNION SELECT installation_id FROM failures")
    return [int(r["installation_id"]) for r in rows]


async def untype_vectors(conn: Conn) -> None:
    """Drop the HNSW indexes and the dimension so vectors of a new size can be written (reembed)."""
    for name in HNSW_INDEXES:
        await conn.execute(f"DROP INDEX IF EXISTS {name}")
    await conn.execute("ALTER TABLE failures ALTER COLUMN embedding TYPE vector")
    await conn.execute("ALTER TABLE patterns ALTER COLUMN centroid TYPE vector")


async def record_embedder(conn: Conn, name: str, dim: int) -> None:
    await conn.execute(
        """INSERT INTO history_embedder (singleton, name, dim) VALUES (true, $1, $2)
           ON CONFLICT (singleton) DO UPDATE SET name = $1, dim = $2, updated_at = now()""",
        name,
        dim,
    )


# --- signature keys ---------------------------------------------------------------------------------------


async def unkeyed_patterns(conn: Conn, *, limit: int) -> list[asyncpg.Record]:
    """Patterns without a signature (made before signatures, or by an older definition): schema maintenance
    across tenants, each row with its installation; the representative failure's fields when it still exists."""
    return list(
        await conn.fetch(
            """SELECT p.id, p.installation_id, p.kind, p.tool, p.title, p.test_id,
                      f.kind AS f_kind, f.tool AS f_tool, f.test_id AS f_test_id, f.message, f.file, f.line,
                      f.excerpt, f.symbol, f.code_line
               FROM patterns p
               LEFT JOIN failures f ON f.installation_id = p.installation_id AND f.id = p.representative_failure_id
               WHERE p.signature_key IS NULL ORDER BY p.id LIMIT $1""",
            limit,
        )
    )


async def set_pattern_signature(conn: Conn, installation_id: int, pattern_id: int, signature: dict[str, Any]) -> None:
    await conn.execute(
        """UPDATE patterns SET signature_key = $3, scope_key = $4, signature = $5
           WHERE installation_id = $1 AND id = $2""",
        installation_id,
        pattern_id,
        signature["key"],
        signature["scope"],
        signature,
    )


async def lock_rekey(conn: Conn) -> None:
    """Serialize re-keying signatures across processes (workers starting together) until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('ci-triage:rekey', 0))")


async def clear_signatures(conn: Conn, *, unless_version: str | None = None) -> int:
    """Forget signatures (``rekey`` after the definition changed): every one, or those not of ``unless_version``
    (``signature->>'version'``); schema maintenance across tenants. Returns how many patterns lost theirs."""
    if unless_version is None:
        await conn.execute("DELETE FROM pattern_fingerprints WHERE fingerprint LIKE 'sig:%'")
        done = await conn.execute(
            "UPDATE patterns SET signature_key = NULL, scope_key = NULL, signature = NULL WHERE signature IS NOT NULL"
        )
        return int(done.split()[-1])
    await conn.execute(
        """DELETE FROM pattern_fingerprints pf USING patterns p
           WHERE pf.fingerprint LIKE 'sig:%' AND p.installation_id = pf.installation_id AND p.id = pf.pattern_id
             AND p.signature IS NOT NULL AND (p.signature->>'version') IS DISTINCT FROM $1""",
        unless_version,
    )
    done = await conn.execute(
        """UPDATE patterns SET signature_key = NULL, scope_key = NULL, signature = NULL
           WHERE signature IS NOT NULL AND (signature->>'version') IS DISTINCT FROM $1""",
        unless_version,
    )
    return int(done.split()[-1])


async def lock_embedder(conn: Conn) -> None:
    """Hold the embedder row until the transaction ends: writers wait, readers see one vector space."""
    await conn.execute("LOCK TABLE history_embedder IN EXCLUSIVE MODE")


async def pattern_titles(conn: Conn, installation_id: int, pattern_ids: list[int]) -> dict[int, str]:
    rows = await conn.fetch(
        "SELECT id, title FROM patterns WHERE installation_id = $1 AND id = ANY($2::bigint[])",
        installation_id,
        pattern_ids,
    )
    return {row["id"]: row["title"] for row in rows}
