"""Fixtures of the intake tests: deps with changed settings (own queue), an ASGI client, a signed poster."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from githubapp.app import create_app
from githubapp.deps import Deps
from githubapp.runtime import open_deps
from githubapp.settings import Settings
from githubapp.signatures import sign

MakeDeps = Callable[..., Awaitable[Deps]]


@pytest.fixture
async def make_deps(base_settings: Settings, tmp_path: Path) -> AsyncIterator[MakeDeps]:
    """``await make_deps(**settings_changes)``: Deps of their own (pool, Redis queue, services) per call,
    on the session database, with a queue name of their own unless one is given."""
    async with AsyncExitStack() as stack:

        async def make(**changes: Any) -> Deps:
            changes.setdefault("queue_name", f"intake-{uuid.uuid4().hex[:10]}:queue")
            changes.setdefault("data_dir", tmp_path / f"data-{uuid.uuid4().hex[:6]}")
            settings = replace(base_settings, **changes)
            return await stack.enter_async_context(open_deps(settings, run_migrations=False))

        yield make


def asgi_client(deps: Deps) -> httpx.AsyncClient:
    app = create_app(deps.settings, deps=deps)
    app.state.deps = deps  # ASGITransport runs no lifespan
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def webhook_headers(event: str, body: bytes, secret: str | None, delivery_id: str | None = None) -> dict[str, str]:
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
    }
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return headers
