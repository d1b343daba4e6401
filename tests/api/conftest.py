"""Fixtures of the API and dashboard tests: deps per test (own queue name, so rate limits and live channels do not
leak between tests), an ASGI client, a real HTTP server for browsers, GitHub's OAuth web host, and sign-in."""

from __future__ import annotations

import asyncio
import contextlib
import io
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
from PIL import Image, ImageDraw, ImageStat
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from analysis.fixes.patch import unified_diff
from githubapp.app import create_app
from githubapp.artifacts import artifact_store
from githubapp.deps import Deps
from githubapp.runtime import open_deps
from githubapp.settings import Settings
from githubapp.web.sessions import COOKIE, sign, start_session
from storage import api_keys
from storage import fixes as fix_store
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel
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
    pages_seen: list[str] = field(default_factory=list)

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

        async def web_page(request: Request) -> Response:
            """GitHub's web pages the dashboard links to (repository, pull request, commit, run, attempt, job),
            by the shape of their address: a link of another shape, or with a malformed part, is a 404."""
            self.pages_seen.append(request.url.path)
            sha = request.path_params.get("sha")
            if sha is not None and not (7 <= len(sha) <= 40 and all(c in "0123456789abcdef" for c in sha)):
                return Response("no such commit", 404)
            return Response(f"<!doctype html><title>GitHub: {request.url.path}</title>", 200, media_type="text/html")

        repo = "/{owner:str}/{repo:str}"
        return Starlette(routes=[
            Route("/login/oauth/authorize", authorize),
            Route("/login/oauth/access_token", access_token, methods=["POST"]),
            Route(repo, web_page),
            Route(repo + "/pull/{number:int}", web_page),
            Route(repo + "/commit/{sha:str}", web_page),
            Route(repo + "/actions/runs/{run:int}", web_page),
            Route(repo + "/actions/runs/{run:int}/attempts/{attempt:int}", web_page),
            Route(repo + "/actions/runs/{run:int}/job/{job:int}", web_page),
        ])


@pytest.fixture
async def oauth_web() -> AsyncIterator[tuple[OAuthWeb, str]]:
    web = OAuthWeb("Iv1.testclient", "test-client-secret")
    async with serve(web.app()) as url:
        yield web, url


async def sign_in(
    deps: Deps, *, login: str = "octocat", user_id: int = 1, installations: list[int], repositories: list[int],
    writable: list[int] | None = None,
) -> dict[str, str]:
    """A session cookie as the OAuth callback would set it (tests other than the OAuth flow itself); the user may
    push to ``writable`` (default: every repository listed)."""
    session_id = await start_session(
        deps, Response(), user_id=user_id, login=login, installations=installations, repositories=repositories,
        writable=repositories if writable is None else writable,
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


async def new_key(deps: Deps, installation_id: int, scopes: tuple[str, ...] = api_keys.SCOPES) -> tuple[str, int]:
    async with deps.pool.acquire() as conn:
        created = await api_keys.create_key(conn, installation_id, "test", scopes)
    return created.secret, created.key.id


def run_body(run_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": run_id,
        "repository": "jenkins/payments",
        "branch": "main",
        "commit": uuid.uuid4().hex,
        "ci": "jenkins",
        "durationSeconds": 600,
        "failedTests": [
            {"name": "PaymentTest.refundsTwice", "message": "expected 200 but was 500",
             "stackTrace": "at PaymentTest.refundsTwice(PaymentTest.java:88)", "file": "src/PaymentTest.java",
             "line": 88},
        ],
        "passedTests": ["PaymentTest.charges"],
        "changedFiles": ["src/Payment.java"],
        "snapshotLinks": [{"label": "screenshot", "url": "https://ci.example/artifacts/shot.png"}],
    }
    body.update(overrides)
    return body


# ---- a dashboard site for browser tests ----------------------------------------------------------------------


@dataclass
class Site:
    url: str
    deps: Deps
    key: str
    installation_id: int
    repo: GitModel  # the repository the fake GitHub serves, with a pull request
    repo_id: int
    fix_id: str  # a suggested fix on that pull request
    shots: Path
    github_web: OAuthWeb | None = None  # GitHub's web host (GITHUB_URL): OAuth and the pages the dashboard links to
    full_name: str = ""


def assert_decent_screenshot(path: Path) -> None:
    """Not blank: several distinct colours and real contrast, at the size of the viewport."""
    image = Image.open(path).convert("RGB")
    assert image.size[0] >= 1000 and image.size[1] >= 600
    small = image.resize((200, 150))
    colours = small.getcolors(maxcolors=200 * 150) or []
    assert len(colours) > 20, f"{path.name} looks blank ({len(colours)} colours)"
    darkest, brightest = ImageStat.Stat(image.convert("L")).extrema[0]
    assert brightest - darkest > 100, f"{path.name} has no contrast"


@pytest.fixture
async def site(make_deps: MakeDeps, github: FakeGitHub, oauth_web: tuple[OAuthWeb, str],
               tmp_path: Path) -> AsyncIterator[Site]:
    web, web_url = oauth_web
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    deps = await make_deps(github_api_url=github.url, github_url=web_url, github_client_id=web.client_id,
                           github_client_secret=web.client_secret, public_url=url)
    installation_id = 5_000_000 + int(uuid.uuid4().int % 1_000_000)
    repo_id, full_name = installation_id * 10, "octo/demo"
    # a GitHub repository served by the fake, with a fix to approve
    repo = GitModel(github, repo_id=repo_id, permissions={"alice": ("write", "write")})
    repo.commit({"src/app.py": "import os\nx=1\ny = 2\n"}, message="initial")
    repo.serve()
    full_name = repo.full_name
    fix = await fix_store.save_fix(
        deps.pool, installation_id=installation_id, repository_id=repo_id, repo_full_name=full_name,
        pr_number=repo.pr_number, head_sha=repo.head, source="rule", rule="ruff-format",
        title="Apply `ruff format`", explanation="The lint job failed on formatting; this is ruff's output.",
        confidence=0.9, score=0.9,
        diff=unified_diff("import os\nx=1\ny = 2\n", "import os\nx = 1\ny = 2\n", "src/app.py"),
        fingerprint="fp",
    )
    fix_id = fix.id
    await seed_installation(deps, installation_id, "octo", {repo_id: full_name})
    key, _ = await new_key(deps, installation_id)

    github.on("GET", "/user", json={"login": "alice", "id": 4242001, "type": "User"})
    github.on("GET", "/user/installations", json={"total_count": 1, "installations": [{"id": installation_id}]})
    github.on("GET", f"/user/installations/{installation_id}/repositories",
              json={"total_count": 1, "repositories": [{"id": repo_id, "full_name": full_name}]})

    # A preview screenshot in the artifact store, linked from the runs the way a CI would send it
    shot = Image.new("RGB", (480, 300), "#f6f8fa")
    ImageDraw.Draw(shot).rectangle((20, 20, 460, 80), fill="#0969da")
    ImageDraw.Draw(shot).text((30, 120), "Preview: login page", fill="#1b1f24")
    buffer = io.BytesIO()
    shot.save(buffer, format="PNG")
    store = artifact_store(deps)
    shot_key = f"{installation_id}/ui/preview.png"
    await store.put(shot_key, buffer.getvalue(), content_type="image/png")
    links = [{"label": "preview screenshot", "url": await store.link(shot_key)}]

    app = create_app(deps.settings, deps=deps)
    async with serve(app, port), httpx.AsyncClient(base_url=url, headers={"x-api-key": key}) as api:
        for i, (branch, tests) in enumerate([
            ("main", [{"name": "CheckoutTest.total", "message": "AssertionError: expected 42 but was 41",
                       "stackTrace": "at CheckoutTest.total(CheckoutTest.java:12)"}]),
            ("feature/login", [{"name": "LoginTest.redirects", "message": "TimeoutError: page.goto: 30000ms",
                                "stackTrace": "at LoginTest.redirects(LoginTest.java:40)"}]),
            ("main", [{"name": "CheckoutTest.total", "message": "AssertionError: expected 42 but was 40"}]),
            ("main", []),
        ]):
            body = run_body(f"ui-{i}", repository="jenkins/shop", branch=branch, failedTests=tests,
                            status="failed" if tests else "passed", snapshotLinks=links)
            assert (await api.post("/api/test-runs", json=body)).status_code == 200
        yield Site(url, deps, key, installation_id, repo, repo_id, fix_id, tmp_path, web, full_name)


