"""The GitHub client seam against the fake GitHub: App JWT, token cache, retries, rate limits, downloads."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import gidgethub
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from githubapp.deps import Deps
from githubapp.github import GitHubApps, GitHubUnavailable, RateLimited, RetryPolicy
from githubapp.github.auth import InstallationToken, InstallationTokenCache, app_jwt
from githubapp.github.client import GitHubClient, rate_limit_wait
from githubapp.observability.metrics import metrics_of
from tests.support.fake_github import FakeGitHub
from tests.support.services import free_port

from .conftest import MakeDeps

FAST = RetryPolicy(attempts=4, backoff_base=0.01, backoff_cap=0.05, max_rate_limit_wait=5)
RUN = {"id": 5, "name": "CI", "status": "completed", "conclusion": "failure"}


async def github_deps(make_deps: MakeDeps, github: FakeGitHub, **changes: object) -> tuple[Deps, GitHubApps]:
    deps = await make_deps(github_api_url=github.url, **changes)
    apps = GitHubApps(deps, policy=FAST)
    deps.services.github = apps
    assert deps.settings.github_private_key is not None
    github.verify_app_jwt(deps.settings.github_private_key, 4242)
    return deps, apps


def test_app_jwt_claims(private_key_pem: str) -> None:
    now = 1_700_000_000
    token = app_jwt(4242, private_key_pem, now=now)
    public = serialization.load_pem_private_key(private_key_pem.encode(), None).public_key()
    claims = jwt.decode(token, public, algorithms=["RS256"], options={"verify_exp": False})  # type: ignore[arg-type]
    assert claims == {"iat": now - 60, "exp": now + 540, "iss": "4242"}
    assert claims["exp"] - now <= 600


async def test_token_cache_refreshes_five_minutes_before_expiry() -> None:
    now = [1000.0]
    minted: list[int] = []

    async def mint(installation_id: int) -> InstallationToken:
        minted.append(installation_id)
        return InstallationToken(f"tok-{len(minted)}", now[0] + 3600)

    cache = InstallationTokenCache(mint, clock=lambda: now[0])
    assert await cache.get(1) == "tok-1"
    now[0] += 3600 - 301
    assert await cache.get(1) == "tok-1"  # still more than 5 minutes left
    now[0] += 2
    assert await cache.get(1) == "tok-2"  # within 5 minutes of expiry: a new one
    assert await cache.get(1, stale="tok-1") == "tok-2"  # someone else already replaced the refused token
    assert await cache.get(1, stale="tok-2") == "tok-3"
    assert await cache.get(2) == "tok-4"


def test_rate_limit_wait_follows_githubs_rules() -> None:
    now = 1000.0
    assert rate_limit_wait(200, {}, b"", now) is None
    assert rate_limit_wait(403, {}, b'{"message": "Resource not accessible by integration"}', now) is None
    assert rate_limit_wait(403, {"retry-after": "7"}, b"", now) == 7
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"}, b"", now) == 31
    assert rate_limit_wait(429, {}, b"", now) == 60
    assert rate_limit_wait(403, {}, b'{"message": "You have exceeded a secondary rate limit"}', now) == 60


def test_enterprise_base_url_keeps_its_path() -> None:
    assert gidgethub.sansio.format_url("/app", {}, base_url="https://ghe.example.com/api/v3") == (
        "https://ghe.example.com/api/v3/app")


async def test_installation_token_minted_once_and_reused(make_deps: MakeDeps, github: FakeGitHub) -> None:
    deps, apps = await github_deps(make_deps, github)
    github.on("GET", "/repos/octo/demo/actions/runs/5", json=RUN)
    for _ in range(3):
        gh = apps.for_installation(31)
        assert (await gh.getitem("/repos/{owner}/{repo}/actions/runs/{run_id}",
                                 {"owner": "octo", "repo": "demo", "run_id": 5}))["id"] == 5
    assert len(github.calls_to("POST", "/app/installations/{installation_id}/access_tokens")) == 1
    run_calls = github.calls_to("GET", "/repos/octo/demo/actions/runs/5")
    assert len({call.headers["authorization"] for call in run_calls}) == 1
    assert run_calls[0].headers["authorization"].startswith("token ghs_")
    assert run_calls[0].headers["user-agent"] == "ci-triage"
    assert run_calls[0].headers["accept"] == "application/vnd.github+json"
    assert run_calls[0].headers["x-github-api-version"] == "2022-11-28"
    # Building a client costs nothing: no token for an installation whose handler never calls GitHub.
    apps.for_installation(32)
    assert len(github.calls_to("POST", "/app/installations/{installation_id}/access_tokens")) == 1
    stored = await metrics_of(deps).stored()
    assert stored['ci_triage_github_api_calls_total{status="200"}'] == 3
    assert stored['ci_triage_github_api_calls_total{status="201"}'] == 1


async def test_expired_token_refreshed_once_on_401(make_deps: MakeDeps, github: FakeGitHub) -> None:
    _, apps = await github_deps(make_deps, github)
    github.on("GET", "/repos/octo/demo/actions/runs/5", json=RUN)
    gh = apps.for_installation(33)
    await gh.getitem("/repos/octo/demo/actions/runs/5")
    for token, (installation, _) in list(github.tokens.items()):  # GitHub revokes / expires it early
        github.tokens[token] = (installation, datetime.now(UTC) - timedelta(seconds=1))
    await gh.getitem("/repos/octo/demo/actions/runs/5")
    assert len(github.calls_to("POST", "/app/installations/{installation_id}/access_tokens")) == 2
    calls = github.calls_to("GET", "/repos/octo/demo/actions/runs/5")
    tokens = [call.headers["authorization"] for call in calls]
    assert len(calls) == 3 and tokens[0] == tokens[1] != tokens[2]  # refused once, then a fresh token


async def test_502_then_200_succeeds(make_deps: MakeDeps, github: FakeGitHub) -> None:
    _, apps = await github_deps(make_deps, github)
    github.on("GET", "/repos/octo/demo/actions/runs/5", json=RUN)
    github.fail_next("GET", "/repos/octo/demo/actions/runs/5", status=502)
    github.fail_next("GET", "/repos/octo/demo/actions/runs/5", status=503)
    run = await apps.for_installation(34).getitem("/repos/octo/demo/actions/runs/5")
    assert run["conclusion"] == "failure"
    assert [c.status for c in github.calls_to("GET", "/repos/octo/demo/actions/runs/5")] == [502, 503, 200]


async def test_5xx_that_persists_raises_github_broken(make_deps: MakeDeps, github: FakeGitHub) -> None:
    _, apps = await github_deps(make_deps, github)
    github.fail_next("GET", "/app", status=500, times=10)
    with pytest.raises(gidgethub.GitHubBroken):
        await apps.as_app().getitem("/app")
    assert len(github.calls_to("GET", "/app")) == FAST.attempts


async def test_network_errors_retried_then_reported(make_deps: MakeDeps, github: FakeGitHub) -> None:
    deps = await make_deps(github_api_url=f"http://127.0.0.1:{free_port()}")
    apps = GitHubApps(deps, policy=FAST)
    with pytest.raises(GitHubUnavailable):
        await apps.as_app().getitem("/app")
    stored = await metrics_of(deps).stored()
    assert stored['ci_triage_github_api_calls_total{status="error"}'] == FAST.attempts


async def test_rate_limits_wait_or_defer(make_deps: MakeDeps, github: FakeGitHub) -> None:
    _, apps = await github_deps(make_deps, github)
    github.on("GET", "/app", json={"id": 4242, "slug": "ci-triage"})
    github.rate_limit("GET", "/app", kind="secondary", status=429, retry_after=1)
    started = time.monotonic()
    assert (await apps.as_app().getitem("/app"))["id"] == 4242
    assert time.monotonic() - started >= 0.9  # waited for Retry-After instead of hammering
    github.rate_limit("GET", "/app", kind="primary", status=403, retry_after=3600)
    with pytest.raises(RateLimited) as caught:
        await apps.as_app().getitem("/app")
    assert caught.value.retry_after > 3000
    assert [c.status for c in github.calls_to("GET", "/app")] == [429, 200, 403]


async def test_redirected_download_streams_with_a_cap(make_deps: MakeDeps, github: FakeGitHub) -> None:
    _, apps = await github_deps(make_deps, github)
    text = "".join(f"2026-01-01T00:00:00.0000000Z line {n}\n" for n in range(2000))
    github.job_logs("octo", "demo", 7, text)
    gh = apps.for_installation(35)
    full = await gh.download("/repos/{owner}/{repo}/actions/jobs/{job_id}/logs",
                             {"owner": "octo", "repo": "demo", "job_id": 7}, max_bytes=10_000_000)
    assert full.content.decode() == text and not full.truncated
    capped = await gh.download("/repos/octo/demo/actions/jobs/7/logs", max_bytes=1000)
    assert capped.content == text.encode()[:1000] and capped.truncated
    async with gh.open_download("/repos/octo/demo/actions/jobs/7/logs", max_bytes=len(text)) as stream:
        size = sum([len(chunk) async for chunk in stream])
    assert size == len(text) and not stream.truncated
    # The fake fails the test if our token was sent to the storage host.


async def test_download_of_expired_logs_is_a_404(make_deps: MakeDeps, github: FakeGitHub) -> None:
    _, apps = await github_deps(make_deps, github)
    github.on("GET", "/repos/octo/demo/actions/jobs/8/logs", status=404, json={"message": "Not Found"})
    with pytest.raises(gidgethub.BadRequest) as caught:
        await apps.for_installation(36).download("/repos/octo/demo/actions/jobs/8/logs", max_bytes=100)
    assert caught.value.status_code == 404


async def test_client_without_credentials_sends_no_authorization(github: FakeGitHub) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        gh = GitHubClient(http, base_url=github.url)
        github.on("POST", "/app-manifests/{code}/conversions", status=201, json={"id": 1})
        await gh.post("/app-manifests/{code}/conversions", {"code": "abc"}, data=b"")
    assert "authorization" not in github.calls_to("POST", "/app-manifests/abc/conversions")[0].headers


async def test_a_post_is_never_repeated_after_a_5xx(make_deps: MakeDeps, github: FakeGitHub) -> None:
    # GitHub may have created the comment before answering 502: posting again could post it twice (issue 19).
    _, apps = await github_deps(make_deps, github)
    path = "/repos/octo/demo/issues/7/comments"
    github.fail_next("POST", path, status=502)
    with pytest.raises(gidgethub.GitHubBroken):
        await apps.for_installation(34).post(path, data={"body": "hello"})
    assert len(github.calls_to("POST", path)) == 1
    # Requests that can be repeated still are: a PATCH, and minting a token.
    github.on("PATCH", "/repos/octo/demo/issues/comments/1", json={"id": 1})
    github.fail_next("PATCH", "/repos/octo/demo/issues/comments/1", status=502)
    await apps.for_installation(34).patch("/repos/octo/demo/issues/comments/1", data={"body": "x"})
    assert len(github.calls_to("PATCH", "/repos/octo/demo/issues/comments/1")) == 2


async def test_a_post_is_retried_when_the_connection_was_refused(make_deps: MakeDeps) -> None:
    # Nothing listens: the request never left, so trying again cannot post anything twice.
    deps = await make_deps(github_api_url=f"http://127.0.0.1:{free_port()}")
    apps = GitHubApps(deps, policy=FAST)
    client = apps.as_app()
    with pytest.raises(GitHubUnavailable):
        await client.post("/app/hook/deliveries/{delivery_id}/attempts", {"delivery_id": 1}, data=b"")
    stored = await metrics_of(deps).stored()
    assert stored['ci_triage_github_api_calls_total{status="error"}'] == FAST.attempts
