"""Installations and their repositories; deleting every row of installations removed long enough ago."""

from __future__ import annotations

from typing import Any

import asyncpg

from .db import Conn


async def upsert_installation(
    conn: Conn,
    installation_id: int,
    *,
    login: str,
    account_type: str,
    account_id: int | None,
    permissions: dict[str, Any],
    events: list[str],
    suspended_at: str | None,
    deleted: bool,
) -> None:
    await conn.execute(
        """INSERT INTO installations (id, account_login, account_type, account_id, permissions, events,
                                      suspended_at, deleted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::text::timestamptz, CASE WHEN $8 THEN now() END)
           ON CONFLICT (id) DO UPDATE SET
               account_login = EXCLUDED.account_login, account_type = EXCLUDED.account_type,
               account_id = EXCLUDED.account_id, permissions = EXCLUDED.permissions, events = EXCLUDED.events,
               suspended_at = EXCLUDED.suspended_at,
               deleted_at = CASE WHEN $8 THEN coalesce(installations.deleted_at, now()) END,
               updated_at = now()""",
        installation_id,
        login,
        account_type,
        account_id,
        permissions,
        events,
        suspended_at,
        deleted,
    )


async def ensure_installation(conn: Conn, installation_id: int, login: str) -> None:
    await conn.execute(
        """INSERT INTO installations (id, account_login) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING""",
        installation_id,
        login,
    )


async def upsert_repository(
    conn: Conn, installation_id: int, repository_id: int, full_name: str, private: bool, default_branch: str | None
) -> None:
    """Insert or refresh; a repository added back after removal is current again."""
    await conn.execute(
        """INSERT INTO repositories (id, installation_id, full_name, private, default_branch)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET installation_id = EXCLUDED.installation_id,
               full_name = EXCLUDED.full_name, private = EXCLUDED.private,
               default_branch = coalesce(EXCLUDED.default_branch, repositories.default_branch),
               removed_at = NULL""",
        repository_id,
        installation_id,
        full_name,
        private,
        default_branch,
    )


async def insert_repository(
    conn: Conn, installation_id: int, repository_id: int, full_name: str, private: bool, default_branch: str | None
) -> None:
    """Record a repository, leaving one we know already untouched."""
    await conn.execute(
        """INSERT INTO repositories (id, installation_id, full_name, private, default_branch)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        repository_id,
        installation_id,
        full_name,
        private,
        default_branch,
    )


async def remove_repositories(conn: Conn, installation_id: int, repository_ids: list[int]) -> None:
    await conn.execute(
        "UPDATE repositories SET removed_at = now() WHERE installation_id = $1 AND id = ANY($2::bigint[])",
        installation_id,
        repository_ids,
    )


async def tables_with_installation_id(conn: Conn) -> list[str]:
    """Every table of this schema with an ``installation_id`` column: tables added later are covered too."""
    rows = await conn.fetch(
        """SELECT c.table_name FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
           WHERE c.table_schema = current_schema() AND c.column_name = 'installation_id'
             AND t.table_type = 'BASE TABLE'
           ORDER BY c.table_name"""
    )
    return [row["table_name"] for row in rows]


async def purge_deleted(pool: asyncpg.Pool, *, grace_days: int) -> tuple[list[int], dict[str, int]]:
    """Delete all data of installations deleted more than ``grace_days`` ago: their ids, rows deleted per table.

    Tables are found by their ``installation_id`` column. Foreign keys between them may require an order we
    do not know, so a delete refused by a foreign key is retried after the others (each under a savepoint).
    """
    deleted: dict[str, int] = {}
    async with pool.acquire() as conn, conn.transaction():
        ids = [
            row["id"]
            for row in await conn.fetch(
                "SELECT id FROM installations WHERE deleted_at < now() - make_interval(days => $1) FOR UPDATE",
                grace_days,
            )
        ]
        if not ids:
            return ids, deleted
        remaining = await tables_with_installation_id(conn)
        for _ in range(len(remaining) + 1):
            refused: list[str] = []
            for table in remaining:
                try:
                    async with conn.transaction():
                        status = await conn.execute(
                            f'DELETE FROM "{table}" WHERE installation_id = ANY($1::bigint[])', ids
                        )
                    deleted[table] = deleted.get(table, 0) + int(status.split()[-1])
                except asyncpg.ForeignKeyViolationError:
                    refused.append(table)
            if not refused or refused == remaining:
                remaining = refused
                break
            remaining = refused
        if remaining:
            raise RuntimeError(f"cannot purge installations {ids}: foreign keys block {', '.join(remaining)}")
        status = await conn.execute("DELETE FROM installations WHERE id = ANY($1::bigint[])", ids)
        deleted["installations"] = int(status.split()[-1])
    return ids, deleted
