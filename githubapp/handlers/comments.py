"""PR comment commands and check-run buttons: issue_comment.created and check_run.requested_action."""

from __future__ import annotations

from typing import Any

from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router
from gidgethub.sansio import Event

from ..commands.service import handle_issue_comment, handle_requested_action
from ..deps import Deps

router = Router()


@router.register("issue_comment", action="created")
async def on_comment(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    await handle_issue_comment(gh, deps, event.data)


@router.register("check_run", action="requested_action")
async def on_requested_action(event: Event, gh: GitHubAPI, *, deps: Deps, **_: Any) -> None:
    await handle_requested_action(gh, deps, event.data, delivery_id=event.delivery_id)
