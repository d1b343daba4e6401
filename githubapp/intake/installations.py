"""Installations and their repositories, kept current from installation* webhooks; purge after deletion.
The rows are written by ``storage.installations``; this module reads the webhook payloads."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import asyncpg

from storage import installations as db
from storage.db import Conn

from ..deps import Deps

log = logging.getLogger("ci_triage.installations")


def _account(installation: dict[str, Any]) -> tuple[str, str, int | None]:
    account = installation.get("account") or {}
    login = account.get("login") or account.get("slug") or account.get("name") or str(installation["id"])
    return login, account.get("type") or "Organization", account.get("id")


async def upsert_installation(conn: Conn, installation: dict[str, Any], *, deleted: bool = False) -> None:
    """Insert or refresh an installation from a webhook's ``installation`` object (full form)."""
    login, account_type, account_id = _account(installation)
    await db.upsert_installation(
        conn,
        installation["id"],
        login=login,
        account_type=account_type,
        account_id=account_id,
        permissions=installation.get("permissions") or {},
        events=list(installation.get("events") or []),
        suspended_at=installation.get("suspended_at"),
        deleted=deleted,
    )


async def ensure_installation(conn: Conn, installation_id: int, owner_login: str | None) -> None:
    """Make sure a row exists for an installation seen in any event (installed before we were listening)."""
    await db.ensure_installation(conn, installation_id, owner_login or str(installation_id))


async def upsert_repositories(conn: Conn, installation_id: int, repositories: Iterable[dict[str, Any]]) -> int:
    count = 0
    for repo in repositories:
        await db.upsert_repository(
            conn, installation_id, repo["id"], repo["full_name"], bool(repo.get("private")), repo.get("default_branch")
        )
        count += 1
    return count


async def ensure_repository(conn: Conn, installation_id: int, repo: dict[str, Any]) -> None:
    """Record a repository seen in an event, without touching one we know already."""
    try:
        await db.insert_repository(
            conn, installation_id, repo["id"], repo["full_name"], bool(repo.get("private")), repo.get("default_branch")
        )
    except asyncpg.PostgresError as exc:  # bookkeeping only; never fail a delivery over it
        log.warning("repository %s not recorded: %s", repo.get("full_name"), type(exc).__name__)


async def remove_repositories(conn: Conn, installation_id: int, repository_ids: list[int]) -> None:
    await db.remove_repositories(conn, installation_id, repository_ids)


async def purge_deleted(pool: asyncpg.Pool, *, grace_days: int) -> dict[str, int]:
    """Delete all data of installations deleted more than ``grace_days`` ago; rows deleted per table."""
    ids, deleted = await db.purge_deleted(pool, grace_days=grace_days)
    if ids:
        log.info("purged deleted installations %s: %s", ids, deleted)
    return deleted


async def purge_installations(ctx: dict[str, Any]) -> dict[str, int]:
    """Cron job: purge installations deleted longer ago than INSTALLATION_PURGE_DAYS."""
    deps: Deps = ctx["deps"]
    return await purge_deleted(deps.pool, grace_days=deps.settings.installation_purge_days)
