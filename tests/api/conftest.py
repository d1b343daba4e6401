"""Fixtures of the API and dashboard tests: deps per test (own queue name, so rate limits and live channels do not
leak between tests), an ASGI client, a real HTTP server for browsers, GitHub's OAuth web host, and sign-in."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from githubapp.app import create_app
from githubapp.deps import Deps
from githubapp.runtime import open_deps
from githubapp.settings import Settings
from githubapp.web.sessions import COOKIE, sign, start_session
from tests.support.services import free_port

MakeDeps = Callable[..., Awaitable[Deps]]
NO_GITHUB = "http://127.0.0.1:9"


@pytest.fixture
async def make_deps(base_settings: Settings, tmp_path: Path) -> AsyncIterator[MakeDeps]:
    async with AsyncExitStack() as stack:

        async def make(**changes: Any) -> Deps:
            changes.setdefault("queue_name", f"api-{uuid.uuid4().hex[:10]}:queue")
            changes.setdefault("data_dir", tmp_path / f"data-{uuid.uuid4().hex[:6]}")
            changes.setdefault("github_api_url", NO_GITHUB)
            changes.setdefault("api_rate_limit", 10_000)
            settings = replace(base_settings, **changes)
            return await stack.enter_async_context(open_deps(settings, run_migrations=False))

        yield make


@pytest.fixture
async def deps(make_deps: MakeDeps) -> Deps:
    return await make_deps()


def asgi_client(deps: Deps) -> httpx.AsyncClient:
    app = create_app(deps.settings, deps=deps)
    app.state.deps = deps  # ASGITransport runs no lifespan
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def client(deps: Deps) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(deps) as c:
        yield c


@asynccontextmanager
async def serve(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Serve ``app`` over HTTP on loopback (in this event loop) for browsers and out-of-process clients."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)


@dataclass
class OAuthWeb:
    """GitHub's OAuth web endpoints (not part of the REST API, so not in the fake GitHub): authorize redirects
    straight back with a code, as GitHub does for a user who approved the App before."""

    client_id: str
    client_secret: str
    token: str = field(default_factory=lambda: "gho_" + secrets.token_hex(16))
    codes: dict[str, str] = field(default_factory=dict)
    exchanges: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def authorize(request: Request) -> Response:
            q = request.query_params
            if q.get("client_id") != self.client_id:
                return JSONResponse({"error": "bad client"}, 400)
            code = secrets.token_hex(8)
            self.codes[code] = q["redirect_uri"]
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302)

        async def access_token(request: Request) -> Response:
            form = dict(await request.form())
            self.exchanges.append({k: str(v) for k, v in form.items()})
            ok = (form.get("client_id") == self.client_id and form.get("client_secret") == self.client_secret
                  and form.get("code") in self.codes)
            if not ok:
                return JSONResponse({"error": "bad_verification_code"})
            self.codes.pop(str(form["code"]))
            return JSONResponse({"access_token": self.token, "token_type": "bearer", "scope": ""})

        return Starlette(routes=[
            Route("/login/oauth/authorize", authorize),
            Route("/login/oauth/access_token", access_token, methods=["POST"]),
        ])


@pytest.fixture
async def oauth_web() -> AsyncIterator[tuple[OAuthWeb, str]]:
    web = OAuthWeb("Iv1.testclient", "test-client-secret")
    async with serve(web.app()) as url:
        yield web, url


async def sign_in(
    deps: Deps, *, login: str = "octocat", user_id: int = 1, installations: list[int], repositories: list[int]
) -> dict[str, str]:
    """A session cookie as the OAuth callback would set it (tests other than the OAuth flow itself)."""
    session_id = await start_session(
        deps, Response(), user_id=user_id, login=login, installations=installations, repositories=repositories
    )
    return {COOKIE: sign(deps, "session", session_id)}


async def seed_installation(deps: Deps, installation_id: int, login: str, repos: dict[int, str]) -> None:
    async with deps.pool.acquire() as conn:
        await conn.execute(
            """INSERT INTO installations (id, account_login) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING""",
            installation_id, login,
        )
        for repo_id, name in repos.items():
            await conn.execute(
                """INSERT INTO repositories (id, installation_id, full_name, default_branch) VALUES ($1, $2, $3, 'main')
                   ON CONFLICT (id) DO NOTHING""",
                repo_id, installation_id, name,
            )
