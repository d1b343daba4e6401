"""``deployment_status`` events: record every status, so previews are found by head sha (and deployment
frequency can be measured). The pure part is ``snapshots.preview.deployment_status_from_event``."""

from __future__ import annotations

from typing import Any

from gidgethub.routing import Router
from gidgethub.sansio import Event

from storage.snapshots import record_deployment_status

from ..deps import Deps
from ..snapshots.preview import deployment_status_from_event

router = Router()


@router.register("deployment_status")
async def on_deployment_status(event: Event, gh: Any, *, deps: Deps, **_: Any) -> None:
    status = deployment_status_from_event(event.data)
    if status is not None:
        await record_deployment_status(deps.pool, status)
