"""Live updates for dashboards: each new failure is published on a Redis channel per installation, so a failure
recorded by any replica (triage or ingestion) reaches browsers connected to any other (``githubapp/web/live``
streams the channel as server-sent events)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any

from ..deps import Deps

log = logging.getLogger("ci_triage.live")


def channel(deps: Deps, installation_id: int) -> str:
    return f"{deps.settings.queue_name}:live:failures:{installation_id}"


async def publish(deps: Deps, installation_id: int, event: dict[str, Any]) -> None:
    """Best effort: a dashboard missing one live line is no reason to fail the ingestion."""
    try:
        async with asyncio.timeout(1):
            payload = json.dumps({**event, "installationId": installation_id})
            await deps.queue.publish(channel(deps, installation_id), payload)
    except Exception as exc:
        log.warning("live update not published: %s", type(exc).__name__)


async def publish_failures(
    deps: Deps, installation_id: int, repository_id: int, repository: str, failures: Sequence[Any],
    matches: Sequence[Any],
) -> None:
    """One live event per recorded failure (``analysis.types.Failure`` with its history ``Match``)."""
    for failure, match in zip(failures, matches, strict=True):
        if match is None:
            continue
        await publish(deps, installation_id, {
            "failureId": match.failure_id, "repositoryId": repository_id, "repository": repository,
            "message": failure.message, "kind": str(failure.kind), "testId": failure.test_id,
        })
