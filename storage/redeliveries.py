"""What the reconcile job remembers: how far back it has looked, and the redeliveries it asked GitHub for."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .db import Conn


async def cursor(conn: Conn) -> datetime | None:
    found: datetime | None = await conn.fetchval("SELECT delivered_at FROM reconcile_cursor WHERE id = 1")
    return found


async def save_cursor(conn: Conn, when: datetime) -> None:
    await conn.execute(
        """INSERT INTO reconcile_cursor (id, delivered_at) VALUES (1, $1)
           ON CONFLICT (id) DO UPDATE SET delivered_at = EXCLUDED.delivered_at, updated_at = now()""",
        when,
    )


async def requests_by_guid(conn: Conn, guids: list[str]) -> dict[str, int]:
    """How many times a redelivery was asked for, by delivery guid (asked ones only)."""
    rows = await conn.fetch("SELECT guid, requests FROM webhook_redeliveries WHERE guid = ANY($1::text[])", guids)
    return {row["guid"]: row["requests"] for row in rows}


async def record_requests(conn: Conn, asked: Iterable[tuple[str, int, int | None, str]]) -> None:
    """Count one more request for each ``(guid, github_delivery_id, installation_id, event)``."""
    await conn.executemany(
        """INSERT INTO webhook_redeliveries (guid, github_delivery_id, installation_id, event)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (guid) DO UPDATE SET requests = webhook_redeliveries.requests + 1,
               github_delivery_id = EXCLUDED.github_delivery_id, last_requested_at = now()""",
        list(asked),
    )
