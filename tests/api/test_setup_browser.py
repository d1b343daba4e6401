"""A new user's first minutes in real Chromium: `/` leads to `/setup`, which needs the one-time link from the
server's log; "Create the GitHub App" posts the manifest to GitHub (the fake's `.../settings/apps/new`, allowed
by the Content Security Policy), GitHub sends the browser back with a code, ci-triage converts it
(`POST /app-manifests/{code}/conversions`), GitHub's install page sends the browser to `/setup/installed`, which
leads to the dashboard. No page logs a console error (a CSP violation, a blocked style, a non-2xx document)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from githubapp.app import create_app
from githubapp.intake.setup_token import TOKEN_FILE
from githubapp.settings import CREDENTIALS_FILE
from tests.support.fake_github import FakeGitHub
from tests.support.services import free_port

from .conftest import MakeDeps, serve

pytestmark = pytest.mark.slow
CONVERSIONS = "/app-manifests/{code}/conversions"


def watch(page: Any) -> list[str]:
    """Console errors and failed requests of ``page``, as they happen."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    return problems


async def test_create_the_app_in_the_browser(make_deps: MakeDeps, github: FakeGitHub, browser: Any,
                                            caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    deps = await make_deps(github_app_id=None, github_private_key=None, github_webhook_secrets=(),
                           github_client_id=None, github_client_secret=None,
                           github_api_url=github.url, github_url=github.url, public_url=url)
    data_dir = deps.settings.data_dir
    context = await browser.new_context(viewport={"width": 1100, "height": 800})
    page = await context.new_page()
    problems = watch(page)
    caplog.set_level(logging.WARNING, logger="ci_triage.setup")
    async with serve(create_app(deps.settings, deps=deps), port):
        # An unconfigured instance sends its first visitor to /setup, which wants the link from the log.
        await page.goto(url + "/")
        assert page.url == url + "/setup"
        await page.get_by_role("heading", name="Open the setup link from the server's log").wait_for()
        links = re.findall(r"open (http://\S+/setup\?token=\S+) to create one", caplog.text)
        assert len(links) == 1 and links[0].startswith(url + "/setup?token=")
        assert (data_dir / TOKEN_FILE).read_text() == links[0].split("token=", 1)[1]
        # Styled by the stylesheet, not inline (the policy would block inline styles).
        assert await page.evaluate("getComputedStyle(document.body).fontFamily") != "\"Times New Roman\""
        assert await page.locator("style, [style]").count() == 0

        # The link: the create form, with a warning that GitHub cannot reach a loopback PUBLIC_URL.
        await page.goto(links[0])
        await page.get_by_role("heading", name="Create the GitHub App").wait_for()
        warning = await page.get_by_role("alert").inner_text()
        assert "loopback" in warning and "PUBLIC_URL" in warning and "tunnel" in warning
        await page.get_by_label("Organization that will own the App").fill("my-org")
        await page.get_by_role("button", name="Choose").click()
        await page.wait_for_url("**organization=my-org**")

        # The button posts the manifest to GitHub; the rest is redirects: callback, install page, installed.
        await page.get_by_role("button", name="Create the GitHub App on the organization my-org").click()
        await page.wait_for_url(url + "/setup/installed?**")
        await page.get_by_role("heading", name="ci-triage is installed").wait_for()

        [posted] = github.manifest_posts
        assert posted["path"] == "/organizations/my-org/settings/apps/new"
        assert posted["manifest"]["hook_attributes"]["url"] == url + "/webhooks/github"
        assert posted["manifest"]["redirect_url"] == url + "/setup/callback"
        [conversion] = github.calls_to("POST", CONVERSIONS)
        assert conversion.status == 201
        stored = json.loads((data_dir / CREDENTIALS_FILE).read_text())
        assert stored["slug"] == "ci-triage" and stored["pem"].startswith("-----BEGIN RSA PRIVATE KEY-----")
        assert deps.settings.app_configured and deps.settings.github_app_id == stored["id"]
        assert not (data_dir / TOKEN_FILE).exists()  # the token is spent: /setup is closed for good

        # The installed page leads to the dashboard, which now offers sign-in instead of setup.
        await page.get_by_role("link", name="Open the dashboard").click()
        await page.wait_for_url(url + "/")
        await page.get_by_role("link", name="Sign in with GitHub").wait_for()
        await page.goto(url + "/setup")
        await page.get_by_role("heading", name="Setup is closed").wait_for()
    await context.close()
    assert problems == []


async def test_no_console_errors_on_the_first_pages(make_deps: MakeDeps, github: FakeGitHub, browser: Any) -> None:
    """A configured App without an OAuth client: the sign-in page, sign-in not configured, setup closed."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    deps = await make_deps(github_api_url=github.url, github_url=github.url, public_url=url,
                           github_client_id=None, github_client_secret=None)
    context = await browser.new_context()
    page = await context.new_page()
    problems = watch(page)
    async with serve(create_app(deps.settings, deps=deps), port):
        await page.goto(url + "/")
        await page.get_by_role("link", name="Sign in with GitHub").click()
        await page.get_by_role("heading", name="Sign-in is not configured").wait_for()
        assert "GITHUB_CLIENT_ID" in await page.get_by_role("alert").inner_text()
        for path, heading in [("/setup", "Setup is closed"), ("/setup/installed", "ci-triage is installed")]:
            await page.goto(url + path)
            await page.get_by_role("heading", name=heading).wait_for()
            assert await page.locator("link[rel=stylesheet][href='/static/dashboard.css']").count() == 1
    await context.close()
    assert problems == []


async def test_the_policy_allows_forms_to_github_only(make_deps: MakeDeps, github: FakeGitHub) -> None:
    import httpx

    deps = await make_deps(github_url="https://ghe.example.com:8443/")
    app = create_app(deps.settings, deps=deps)
    app.state.deps = deps
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        policy = (await client.get("/health")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["form-action"] == "'self' https://ghe.example.com:8443"
    assert directives["style-src"] == "'self'" and directives["script-src"] == "'self'"
