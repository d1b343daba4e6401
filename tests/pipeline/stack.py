"""The real stack for end-to-end tests: uvicorn serving the app on loopback, an arq worker on Redis, both on
``Deps`` opened from settings that point GitHub at the fake."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from githubapp.app import create_app
from githubapp.deps import Deps
from githubapp.runtime import open_deps
from githubapp.settings import Settings
from githubapp.worker.arq_worker import build_worker, stop_gracefully
from tests.support.payloads import sign
from tests.support.services import free_port


@dataclass
class Stack:
    url: str
    deps: Deps
    client: httpx.AsyncClient

    async def deliver(self, event: str, payload: dict[str, Any]) -> httpx.Response:
        """POST a webhook as GitHub does: JSON body, event and delivery headers, sha256 signature."""
        body = json.dumps(payload).encode()
        secret = self.deps.settings.github_webhook_secrets[0]
        return await self.client.post(
            f"{self.url}/webhooks/github",
            content=body,
            headers={
                "content-type": "application/json",
                "x-github-event": event,
                "x-github-delivery": str(uuid.uuid4()),
                "x-hub-signature-256": sign(body, secret),
                "user-agent": "GitHub-Hookshot/test",
            },
        )


async def wait_for(condition: Callable[[], Any], *, timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@asynccontextmanager
async def running_stack(settings: Settings) -> AsyncIterator[Stack]:
    async with open_deps(settings, run_migrations=False) as deps:
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, deps=deps),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="on",
                access_log=False,
            )
        )
        serving = asyncio.create_task(server.serve())
        worker = build_worker(deps, max_jobs=4)
        working = asyncio.create_task(worker.async_run())
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                yield Stack(f"http://127.0.0.1:{port}", deps, client)
        finally:
            server.should_exit = True
            await serving
            stop_gracefully(worker)  # in-flight jobs finish, then the worker's main task ends
            try:
                await asyncio.wait_for(asyncio.shield(working), 30)
            except (asyncio.CancelledError, TimeoutError):
                worker.handle_sig(signal.SIGINT)
                with contextlib.suppress(asyncio.CancelledError):
                    await working
