"""The parts of the API and dashboard that need no feature data: the OpenAPI document, security headers,
authentication answers, rate limits, sessions, CSRF and the sign-in flow against the fake GitHub."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from githubapp.app import create_app
from githubapp.deps import Deps
from githubapp.web.ratelimit import Limit, RateLimiter
from githubapp.web.sessions import COOKIE, STATE_COOKIE
from tests.support.fake_github import FakeGitHub

from .conftest import MakeDeps, OAuthWeb, asgi_client, seed_installation, sign_in

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


async def test_openapi_document_lists_exactly_the_api_routes(client: httpx.AsyncClient, deps: Deps) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    served = set()
    for route in create_app(deps.settings, deps=deps).routes:
        if isinstance(route, Route) and route.path.startswith("/api/") and route.path != "/api/openapi.json":
            served |= {(m, route.path) for m in (route.methods or set()) & HTTP_METHODS}
    assert documented == served
    # every $ref resolves and every operation documents its errors
    text = response.text
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in doc["components"]["schemas"], name
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert {"422", "429"} <= set(op["responses"]), (method, path)
            if "security" in op:
                assert "401" in op["responses"]
            if "{" in path:
                assert "404" in op["responses"]


async def test_security_headers_on_pages_and_api(client: httpx.AsyncClient) -> None:
    for path in ("/", "/api/repositories", "/api/openapi.json", "/health"):
        response = await client.get(path)
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no key
        {"Authorization": "Bearer cit_not-a-real-key-at-all-0000000000000000000000"},  # unknown key
        {"x-api-key": "something"},  # not even the key format
        {"Authorization": "Basic dXNlcjpwYXNz"},  # another scheme
    ],
)
async def test_api_without_a_valid_key_is_401(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get("/api/failures/1", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_rate_limit_per_address_answers_429_with_retry_after(make_deps: MakeDeps) -> None:
    deps = await make_deps(api_rate_limit=3, api_rate_window_seconds=900)
    async with asgi_client(deps) as client:
        statuses = [(await client.get("/api/repositories")).status_code for _ in range(3)]
        assert statuses == [401, 401, 401]  # counted although unauthenticated
        limited = await client.get("/api/snapshots/abc")  # every /api endpoint shares the limit
        assert (await client.get("/api/openapi.json")).status_code == 200  # the document is not limited
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 900


async def test_rate_limiter_windows_and_subjects(deps: Deps) -> None:
    limiter = RateLimiter(deps.queue, deps.settings.queue_name, Limit(requests=2, window_seconds=60))
    now = 60 * 16_667 + 20.0  # 20 s into a 60-second window
    assert await limiter.hit("key:1", now=now) is None
    assert await limiter.hit("key:1", now=now) is None
    assert await limiter.hit("key:1", now=now) == 40  # seconds until the window ends
    assert await limiter.hit("key:2", now=now) is None  # another subject has its own budget
    assert await limiter.hit("key:1", now=now + 60) is None  # the next window starts afresh


async def test_rate_limiter_lets_requests_through_when_redis_is_down(deps: Deps) -> None:
    import redis.asyncio

    broken = redis.asyncio.Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    limiter = RateLimiter(broken, "x", Limit(requests=1, window_seconds=60))
    assert await limiter.hit("key:1") is None
    assert await limiter.hit("key:1") is None
    await broken.aclose()


async def test_dashboard_without_session_shows_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert 'href="/login"' in response.text and "Signed in as" not in response.text
    tampered = await client.get("/", cookies={COOKIE: "abc.def"})
    assert 'href="/login"' in tampered.text and "Signed in as" not in tampered.text


async def test_login_needs_the_oauth_client(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")
    assert response.status_code == 200  # guidance for a browser, not an error document
    assert "Sign-in is not configured" in response.text and "GITHUB_CLIENT_ID" in response.text


async def test_sign_in_with_github_stores_the_access_list_not_the_token(
    make_deps: MakeDeps, github: FakeGitHub, oauth_web: tuple[OAuthWeb, str]
) -> None:
    web, web_url = oauth_web
    deps = await make_deps(github_api_url=github.url, github_url=web_url, github_client_id=web.client_id,
                           github_client_secret=web.client_secret, public_url="http://testserver")
    seen_tokens: list[str] = []

    def user(request: Any, params: dict[str, str]) -> dict[str, Any]:
        seen_tokens.append(request.headers["authorization"])
        return {"login": "mona", "id": 583231, "type": "User"}

    github.on("GET", "/user", user)
    github.on("GET", "/user/installations", json={"total_count": 1, "installations": [{"id": 9001}]})
    github.on("GET", "/user/installations/9001/repositories", json={
        "total_count": 2, "repositories": [{"id": 501, "full_name": "octo/a"}, {"id": 502, "full_name": "octo/b"}],
    })
    async with asgi_client(deps) as client:
        start = await client.get("/login")
        assert start.status_code == 302
        authorize = httpx.URL(start.headers["location"])
        assert str(authorize).startswith(f"{web_url}/login/oauth/authorize")
        assert authorize.params["redirect_uri"] == "http://testserver/auth/callback"
        async with httpx.AsyncClient() as browser_like:
            back = await browser_like.get(str(authorize))
        assert back.status_code == 302
        callback = httpx.URL(back.headers["location"])
        done = await client.get(f"/auth/callback?{callback.query.decode()}")
        assert done.status_code == 303, done.text
        assert COOKIE in done.cookies or COOKIE in client.cookies
        overview = await client.get("/")
        assert overview.status_code == 200
        assert "mona" in overview.text
    assert seen_tokens == [f"Bearer {web.token}"]
    assert web.exchanges[0]["client_secret"] == web.client_secret
    row = await deps.pool.fetchrow("SELECT * FROM web_sessions WHERE login = 'mona'")
    assert row is not None
    assert list(row["installations"]) == [9001] and sorted(row["repositories"]) == [501, 502]
    dumped = " ".join(str(v) for v in row.values())
    assert web.token not in dumped


async def test_callback_refuses_a_state_it_did_not_issue(
    make_deps: MakeDeps, oauth_web: tuple[OAuthWeb, str]
) -> None:
    web, web_url = oauth_web
    deps = await make_deps(github_url=web_url, github_client_id=web.client_id, github_client_secret=web.client_secret)
    async with asgi_client(deps) as client:
        await client.get("/login")  # sets a state cookie for another state
        response = await client.get("/auth/callback?code=abc&state=forged")
        assert response.status_code == 400
        client.cookies.delete(STATE_COOKIE)
        response = await client.get("/auth/callback?code=abc&state=forged")
        assert response.status_code == 400
    assert web.exchanges == []


async def test_logout_needs_the_csrf_token(deps: Deps, client: httpx.AsyncClient) -> None:
    cookies = await sign_in(deps, installations=[1], repositories=[])
    client.cookies.update(cookies)
    assert (await client.post("/logout", data={"csrf_token": "wrong"})).status_code == 403
    page = (await client.get("/")).text
    assert "Signed in as" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    out = await client.post("/logout", data={"csrf_token": token.group(1)})
    assert out.status_code == 303
    client.cookies.update(cookies)  # the old cookie no longer names a session
    assert "Signed in as" not in (await client.get("/")).text


async def test_expired_session_is_refused(deps: Deps, client: httpx.AsyncClient) -> None:
    cookies = await sign_in(deps, login="late", installations=[1], repositories=[])
    await deps.pool.execute("UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE login = 'late'")
    assert "Signed in as" not in (await client.get("/", cookies=cookies)).text


async def test_dashboard_pages_render_for_a_user_without_data(deps: Deps, client: httpx.AsyncClient) -> None:
    await seed_installation(deps, 77, "empty-org", {7701: "empty-org/app"})
    client.cookies.update(await sign_in(deps, installations=[77], repositories=[7701]))
    for path in ("/", "/failures", "/flaky", "/broken", "/fixes", "/repositories/7701"):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert "<main id=\"main\">" in response.text
    assert (await client.get("/repositories/999999")).status_code == 404
    bad = await client.get("/failures?since=yesterday&kind=test&pattern=abc")
    # The failures page itself, its form naming each bad field beside it; the valid filter still applies.
    assert bad.status_code == 422 and 'role="search"' in bad.text and 'id="filter-errors"' in bad.text
    assert 'id="err-since"' in bad.text and 'id="err-pattern"' in bad.text and 'id="err-kind"' not in bad.text
    assert 'value="yesterday"' in bad.text and '<option value="test" selected>' in bad.text
    assert "Traceback" not in bad.text and "Invalid request" not in bad.text
    assert time.time() > 0


async def test_failures_are_published_per_installation(deps: Deps) -> None:
    import asyncio
    import json
    from types import SimpleNamespace

    from analysis.types import Failure, FailureKind
    from githubapp.notify import live

    pubsub = deps.queue.pubsub()
    await pubsub.subscribe(live.channel(deps, 31))
    await pubsub.get_message(timeout=1)  # the subscription confirmation
    failures = [Failure(FailureKind.TEST, "pytest", "assert 1 == 2", test_id="t.py::test_x"),
                Failure(FailureKind.LINT, "ruff", "E501")]
    matches = [SimpleNamespace(failure_id=7), None]  # a failure without a match is not announced
    await live.publish_failures(deps, 31, 310, "octo/app", failures, matches)
    await live.publish_failures(deps, 32, 320, "other/app", failures[:1], matches[:1])  # another installation
    message = None
    for _ in range(20):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message:
            break
        await asyncio.sleep(0.05)
    assert message is not None
    event = json.loads(message["data"])
    assert event == {"failureId": 7, "repositoryId": 310, "repository": "octo/app", "message": "assert 1 == 2",
                     "kind": "test", "testId": "t.py::test_x", "installationId": 31}
    assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.3) is None
    await pubsub.aclose()
