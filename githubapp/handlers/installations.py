"""installation and installation_repositories events keep installations and repositories current."""

from __future__ import annotations

from typing import Any

from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router
from gidgethub.sansio import Event

from ..deps import Deps
from ..intake import installations

router = Router()


@router.register("installation", action="created")
@router.register("installation", action="new_permissions_accepted")
@router.register("installation", action="suspend")
@router.register("installation", action="unsuspend")
async def on_installation(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    installation = event.data["installation"]
    async with deps.pool.acquire() as conn, conn.transaction():
        await installations.upsert_installation(conn, installation)
        if event.data.get("action") == "created":
            await installations.upsert_repositories(conn, installation["id"], event.data.get("repositories") or [])


@router.register("installation", action="deleted")
async def on_deleted(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    await installations.upsert_installation(deps.pool, event.data["installation"], deleted=True)


@router.register("installation_repositories", action="added")
async def on_repositories_added(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    installation = event.data["installation"]
    async with deps.pool.acquire() as conn, conn.transaction():
        await installations.upsert_installation(conn, installation)
        await installations.upsert_repositories(conn, installation["id"], event.data.get("repositories_added") or [])


@router.register("installation_repositories", action="removed")
async def on_repositories_removed(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    installation = event.data["installation"]
    removed = [repo["id"] for repo in event.data.get("repositories_removed") or []]
    async with deps.pool.acquire() as conn, conn.transaction():
        await installations.upsert_installation(conn, installation)
        await installations.remove_repositories(conn, installation["id"], removed)
