"""Fixtures of the intake tests: deps with changed settings (own queue), an ASGI client, a signed poster."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from githubapp.app import create_app
from githubapp.deps import Deps
from githubapp.handlers import router
from githubapp.intake.signatures import sign
from githubapp.runtime import open_deps
from githubapp.settings import Settings
from githubapp.worker.arq_worker import build_worker
from tests.support.fixtures import WEBHOOK_SECRET
from tests.support.services import REPO_ROOT

MakeDeps = Callable[..., Awaitable[Deps]]
NO_GITHUB = "http://127.0.0.1:9"


@pytest.fixture
async def make_deps(base_settings: Settings, tmp_path: Path) -> AsyncIterator[MakeDeps]:
    """``await make_deps(**settings_changes)``: Deps of their own (pool, Redis queue, services) per call,
    on the session database, with a queue name of their own unless one is given."""
    async with AsyncExitStack() as stack:

        async def make(**changes: Any) -> Deps:
            changes.setdefault("queue_name", f"intake-{uuid.uuid4().hex[:10]}:queue")
            changes.setdefault("data_dir", tmp_path / f"data-{uuid.uuid4().hex[:6]}")
            # Never api.github.com (a cron job such as reconcile may fire): a closed loopback port instead.
            changes.setdefault("github_api_url", NO_GITHUB)
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


async def run_worker(deps: Deps) -> None:
    """Run every job on the deps' queue (retries included) until it is empty."""
    worker = build_worker(deps, burst=True)
    await worker.main()  # the worker shares deps.queue: not closed here


class Calls(list[tuple[str, Any]]):
    """(delivery id, GitHub client) per call; ``behaviour[delivery id]`` lists exceptions to raise first."""

    def __init__(self) -> None:
        super().__init__()
        self.behaviour: dict[str, list[BaseException]] = {}

    def of(self, ids: Collection[str]) -> list[str]:
        """The calls for these deliveries, in order. A worker's start-up sweep also picks up deliveries other
        tests left pending in the shared database, so tests look only at their own."""
        return [delivery for delivery, _ in self if delivery in ids]


@pytest.fixture
def counting_handler() -> Iterator[Calls]:
    """A handler for workflow_job added to the combined router for one test."""
    calls = Calls()
    behaviour = calls.behaviour

    async def handler(event: Any, gh: Any, *, deps: Deps, **_: Any) -> None:
        calls.append((event.delivery_id, gh))
        failures = behaviour.get(event.delivery_id)
        if failures:
            behaviour[event.delivery_id] = failures[1:]
            raise failures[0]

    router.add(handler, "workflow_job")
    yield calls
    router._shallow_routes["workflow_job"].remove(handler)


def process_env(settings: Settings, queue: str, data_dir: Path) -> dict[str, str]:
    """Environment for a `python -m githubapp ...` child on the test database and Redis."""
    assert settings.github_private_key and settings.database_url and settings.redis_url
    return {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")},
        "PYTHONPATH": str(REPO_ROOT), "CI_TRIAGE_DATA_DIR": str(data_dir),
        "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url, "CI_TRIAGE_QUEUE": queue,
        "GITHUB_APP_ID": "4242", "GITHUB_PRIVATE_KEY": settings.github_private_key,
        "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET, "GITHUB_API_URL": NO_GITHUB, "LOG_LEVEL": "info",
    }
