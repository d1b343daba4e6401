"""The ``deliveries`` table: one row per X-GitHub-Delivery, the source of truth for what must be processed.

Status moves ``pending`` (stored) → ``running`` → ``done``; a failed attempt goes to ``queued`` (waiting for
its retry) and, once the tries are used up or the error is permanent, to ``failed`` with the error kept.
Events the app does not handle are stored as ``ignored``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from .db import Conn

LAST_ERROR_MAX_CHARS = 4000


@dataclass(frozen=True)
class IncomingDelivery:
    """What the webhook request stores; ``body`` is the raw JSON text as GitHub sent it."""

    id: str
    event: str
    action: str | None
    installation_id: int | None
    repository: str | None
    body: str


@dataclass(frozen=True)
class Delivery:
    id: str
    event: str
    action: str | None
    installation_id: int | None
    repository: str | None
    received_at: datetime
    status: str
    attempts: int
    last_error: str | None
    finished_at: datetime | None


_INSERT = """
INSERT INTO deliveries (id, event, action, installation_id, repository, payload, status)
VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7)
ON CONFLICT (id) DO NOTHING
RETURNING id
"""


async def record(conn: Conn, delivery: IncomingDelivery, *, status: str = "pending") -> bool:
    """Store a delivery once; False when this id was stored before (a redelivery)."""
    args = (delivery.id, delivery.event, delivery.action, delivery.installation_id, delivery.repository)
    try:
        inserted = await conn.fetchval(_INSERT, *args, delivery.body, status)
    except asyncpg.UntranslatableCharacterError:
        # jsonb refuses \u0000 in strings: keep the delivery rather than lose it, minus the NUL characters.
        cleaned = json.dumps(_strip_nul(json.loads(delivery.body)))
        inserted = await conn.fetchval(_INSERT, *args, cleaned, status)
    return inserted is not None


_INSERT_MANY = """
INSERT INTO deliveries (id, event, action, installation_id, repository, payload, status)
SELECT d.id, d.event, d.action, d.installation_id, d.repository, d.payload::jsonb, d.status
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
     AS d(id, event, action, installation_id, repository, payload, status)
ORDER BY d.id  -- replicas inserting overlapping batches take row locks in one order: no deadlock
ON CONFLICT (id) DO NOTHING
RETURNING id
"""


async def record_many(conn: Conn, batch: Sequence[tuple[IncomingDelivery, str]]) -> set[str]:
    """Store ``(delivery, status)`` pairs in one statement (one round trip, one commit); the ids newly stored.
    A NUL character in one payload fails the whole statement (``record`` stores such a delivery alone)."""
    columns = list(
        zip(
            *(
                (d.id, d.event, d.action, d.installation_id, d.repository, d.body, status)
                for d, status in batch
            ),
            strict=True,
        )
    )
    rows = await conn.fetch(_INSERT_MANY, *(list(column) for column in columns))
    return {row["id"] for row in rows}


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(item) for item in value]
    if isinstance(value, dict):
        return {_strip_nul(key): _strip_nul(item) for key, item in value.items()}
    return value


_COLUMNS = "id, event, action, installation_id, repository, received_at, status, attempts, last_error, finished_at"


def _delivery(row: asyncpg.Record) -> Delivery:
    return Delivery(**{key: row[key] for key in _COLUMNS.split(", ")})


async def get(conn: Conn, delivery_id: str) -> Delivery | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM deliveries WHERE id = $1", delivery_id)
    return _delivery(row) if row else None


async def payload_of(conn: Conn, delivery_id: str) -> Any:
    return await conn.fetchval("SELECT payload FROM deliveries WHERE id = $1", delivery_id)


async def listing(conn: Conn, *, failed_only: bool = False, limit: int = 50) -> list[Delivery]:
    where = "WHERE status = 'failed'" if failed_only else ""
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM deliveries {where} ORDER BY received_at DESC LIMIT $1", limit)
    return [_delivery(row) for row in rows]


async def start_attempt(conn: Conn, delivery_id: str) -> int | None:
    """Mark an unfinished delivery running; the attempt number, or None when there is nothing to do."""
    attempts: int | None = await conn.fetchval(
        """UPDATE deliveries SET status = 'running', attempts = attempts + 1, started_at = now()
           WHERE id = $1 AND status IN ('pending', 'queued', 'running')
           RETURNING attempts""",
        delivery_id,
    )
    return attempts


async def finish(conn: Conn, delivery_id: str) -> None:
    await conn.execute("UPDATE deliveries SET status = 'done', finished_at = now() WHERE id = $1", delivery_id)


async def fail_attempt(conn: Conn, delivery_id: str, error: str, *, final: bool) -> None:
    """Keep the error; ``final`` ends the delivery as failed, otherwise it waits for its retry."""
    await conn.execute(
        """UPDATE deliveries SET status = $2, last_error = $3,
                  finished_at = CASE WHEN $2 = 'failed' THEN now() ELSE finished_at END
           WHERE id = $1""",
        delivery_id,
        "failed" if final else "queued",
        error[:LAST_ERROR_MAX_CHARS],
    )


async def reset_for_retry(conn: Conn, delivery_id: str) -> Delivery | None:
    """Make a finished (failed or done) delivery runnable again; the operator asked for it."""
    row = await conn.fetchrow(
        f"""UPDATE deliveries SET status = 'pending', finished_at = NULL, started_at = NULL
            WHERE id = $1 AND status <> 'ignored' RETURNING {_COLUMNS}""",
        delivery_id,
    )
    return _delivery(row) if row else None


async def unfinished(conn: Conn, *, older_than_seconds: float, limit: int = 1000) -> list[Delivery]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM deliveries
            WHERE status IN ('pending', 'queued', 'running')
              AND coalesce(started_at, received_at) < now() - make_interval(secs => $1)
            ORDER BY received_at LIMIT $2""",
        older_than_seconds,
        limit,
    )
    return [_delivery(row) for row in rows]


async def known_ids(conn: Conn, ids: list[str]) -> set[str]:
    rows = await conn.fetch("SELECT id FROM deliveries WHERE id = ANY($1::text[])", ids)
    return {row["id"] for row in rows}


async def prune(conn: Conn, *, older_than_days: int, batch: int = 5000) -> int:
    """Delete finished (done or ignored) deliveries older than ``older_than_days``; failed and unfinished ones
    stay for the operator. Deletes in batches so a large backlog does not hold one long transaction."""
    total = 0
    while True:
        status = await conn.execute(
            """DELETE FROM deliveries WHERE id IN (
                   SELECT id FROM deliveries
                   WHERE status IN ('done', 'ignored') AND received_at < now() - make_interval(days => $1)
                   LIMIT $2)""",
            older_than_days,
            batch,
        )
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < batch:
            return total
