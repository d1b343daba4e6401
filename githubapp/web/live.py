"""Live updates: new failures are published on a Redis channel per installation and streamed to dashboards as
server-sent events, so a failure ingested by any replica reaches browsers connected to any other."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..deps import Deps

log = logging.getLogger("ci_triage.live")
KEEPALIVE_SECONDS = 15.0


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


async def stream(deps: Deps, installations: tuple[int, ...], repositories: tuple[int, ...] | None,
                 request: Request) -> AsyncIterator[str]:
    pubsub = deps.queue.pubsub()
    await pubsub.subscribe(*(channel(deps, i) for i in installations))
    try:
        yield ": connected\n\n"
        while not await request.is_disconnected():
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=KEEPALIVE_SECONDS)
            if message is None:
                yield ": keep-alive\n\n"
                continue
            data = message["data"].decode() if isinstance(message["data"], bytes) else str(message["data"])
            event = json.loads(data)
            repo = int(event.get("repositoryId", 0))
            if repositories is not None and repo >= 0 and repo not in repositories:
                continue
            yield f"event: failure\ndata: {json.dumps(event)}\n\n"
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()  # type: ignore[no-untyped-call]


def sse_response(deps: Deps, installations: tuple[int, ...], repositories: tuple[int, ...] | None,
                 request: Request) -> Response:
    return StreamingResponse(
        stream(deps, installations, repositories, request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
