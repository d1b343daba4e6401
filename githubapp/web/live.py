"""Live updates: the failures ``githubapp/notify/live`` publishes on a Redis channel per installation, streamed
to dashboards as server-sent events, so a failure recorded by any replica reaches browsers connected to any
other."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..deps import Deps
from ..notify.live import channel

KEEPALIVE_SECONDS = 15.0


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
