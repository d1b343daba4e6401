"""The dashboard in real Chromium (Playwright): sign in through the OAuth flow against the fake GitHub, navigate,
filter, open a failure and a pattern, approve a fix (committed through the fake GitHub's Git Data API), and see a
new failure arrive live. Screenshots are checked for content and kept in the test's tmp dir."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from analysis.fixes.patch import unified_diff
from PIL import Image, ImageDraw, ImageStat

from githubapp.app import create_app
from githubapp.deps import Deps
from storage import fixes as fix_store
from tests.fixes.git_model import GitModel
from tests.support.fake_github import FakeGitHub
from tests.support.services import free_port

from .conftest import MakeDeps, OAuthWeb, seed_installation, serve
from .test_api import new_key, run_body

pytestmark = pytest.mark.slow


@dataclass
class Site:
    url: str
    deps: Deps
    key: str
    installation_id: int
    repo: GitModel
    fix_id: str
    shots: Path


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
    repo = GitModel(github, repo_id=installation_id * 10, permissions={"alice": ("write", "write")})
    repo.commit({"src/app.py": "import os\nx=1\ny = 2\n"}, message="initial")
    repo.serve()
    await seed_installation(deps, installation_id, "octo", {repo.repo_id: repo.full_name})
    key, _ = await new_key(deps, installation_id)

    github.on("GET", "/user", json={"login": "alice", "id": 4242001, "type": "User"})
    github.on("GET", "/user/installations", json={"total_count": 1, "installations": [{"id": installation_id}]})
    github.on("GET", f"/user/installations/{installation_id}/repositories",
              json={"total_count": 1, "repositories": [{"id": repo.repo_id, "full_name": repo.full_name}]})

    fix = await fix_store.save_fix(
        deps.pool, installation_id=installation_id, repository_id=repo.repo_id, repo_full_name=repo.full_name,
        pr_number=repo.pr_number, head_sha=repo.head, source="rule", rule="ruff-format",
        title="Apply `ruff format`", explanation="The lint job failed on formatting; this is ruff's output.",
        confidence=0.9, score=0.9,
        diff=unified_diff("import os\nx=1\ny = 2\n", "import os\nx = 1\ny = 2\n", "src/app.py"), fingerprint="fp",
    )
    # A preview screenshot in the artifact store, linked from the runs the way a CI would send it
    shot = Image.new("RGB", (480, 300), "#f6f8fa")
    ImageDraw.Draw(shot).rectangle((20, 20, 460, 80), fill="#0969da")
    ImageDraw.Draw(shot).text((30, 120), "Preview: login page", fill="#1b1f24")
    buffer = io.BytesIO()
    shot.save(buffer, format="PNG")
    store = deps.services["artifacts"]
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
        yield Site(url, deps, key, installation_id, repo, fix.id, tmp_path)


async def test_navigate_filter_and_approve_a_fix(site: Site, browser: Any, github: FakeGitHub) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        # Sign in with GitHub: /login -> GitHub's authorize -> /auth/callback -> overview
        await page.goto(site.url + "/")
        await page.get_by_role("link", name="Sign in with GitHub").click()
        await page.wait_for_url(site.url + "/")
        await page.get_by_text("Signed in as").wait_for()
        assert await page.get_by_role("heading", name="Overview").is_visible()
        assert await page.locator("svg.chart").first.is_visible()
        assert await page.get_by_role("link", name="jenkins/shop").is_visible()
        await page.screenshot(path=str(site.shots / "overview.png"))
        assert_decent_screenshot(site.shots / "overview.png")

        # Repository page, then filter its failures by branch
        await page.get_by_role("link", name="jenkins/shop").click()
        await page.get_by_role("heading", name="jenkins/shop").wait_for()
        rows = page.locator("table").last.locator("tbody tr")
        assert await rows.count() == 3
        await page.get_by_label("Branch").fill("feature/login")
        await page.get_by_role("button", name="Filter").click()
        await page.wait_for_url("**branch=feature%2Flogin**")
        assert await rows.count() == 1
        assert "TimeoutError" in await rows.first.inner_text()
        await page.screenshot(path=str(site.shots / "repository-filtered.png"), full_page=True)
        assert_decent_screenshot(site.shots / "repository-filtered.png")

        # Failure detail: excerpt and pattern; then the pattern page, muted
        await rows.first.get_by_role("link").first.click()
        await page.get_by_role("heading", name="Log excerpt").wait_for()
        assert "LoginTest.java:40" in await page.locator("pre").inner_text()
        snapshot = page.get_by_alt_text("Snapshot: preview screenshot")
        await snapshot.wait_for()
        assert await snapshot.evaluate("img => img.complete && img.naturalWidth") == 480
        await page.screenshot(path=str(site.shots / "failure.png"), full_page=True)
        assert_decent_screenshot(site.shots / "failure.png")
        await page.locator("a[href^='/patterns/']").first.click()
        await page.get_by_role("heading", name="Timeline").wait_for()
        await page.get_by_role("button", name="Mute").click()
        await page.wait_for_load_state()
        assert await page.locator("#pattern-status").inner_text() == "muted"

        # Failures list filtered by kind through the form (no JavaScript needed)
        await page.get_by_role("link", name="Failures").first.click()
        await page.get_by_label("Kind").select_option("compile")
        await page.get_by_role("button", name="Filter").click()
        await page.get_by_text("No failures match.").wait_for()

        # The fixes queue: approve the fix
        await page.get_by_role("link", name="Fixes").click()
        await page.get_by_role("heading", name="Apply `ruff format`").wait_for()
        await page.screenshot(path=str(site.shots / "fixes.png"), full_page=True)
        assert_decent_screenshot(site.shots / "fixes.png")
        head_before = site.repo.head
        await page.get_by_role("button", name=f"Approve {site.fix_id}").click()
        await page.locator("#notice").wait_for()
        assert "approved" in await page.locator("#notice").inner_text()
        assert "applied" in await page.locator(".fix-status").first.inner_text()
        await page.screenshot(path=str(site.shots / "fix-approved.png"), full_page=True)
        assert_decent_screenshot(site.shots / "fix-approved.png")
    finally:
        await context.close()
    assert site.repo.head != head_before
    assert site.repo.files_at(site.repo.head)["src/app.py"] == "import os\nx = 1\ny = 2\n"
    row = await fix_store.get_fix(site.deps.pool, site.installation_id, site.fix_id)
    assert row is not None and (row.status, row.decided_by) == ("applied", "alice")
    [entry] = [e for e in await fix_store.audit_entries(site.deps.pool, site.installation_id)
               if e.action == "command.approve"]
    assert (entry.actor, entry.result, entry.detail["via"]) == ("alice", "ok", "dashboard")
    assert errors == []


async def test_readable_without_javascript_with_landmarks(site: Site, browser: Any) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = await context.new_page()
    try:
        await page.goto(site.url + "/login")  # the OAuth flow is redirects only
        await page.get_by_text("Signed in as").wait_for()
        for landmark in ("banner", "navigation", "main"):
            assert await page.get_by_role(landmark).count() >= 1, landmark
        await page.get_by_role("link", name="Failures").first.click()
        await page.get_by_label("Kind").select_option("test")
        await page.get_by_label("Branch").fill("main")
        await page.get_by_role("button", name="Filter").click()
        await page.wait_for_url("**kind=test**")
        rows = page.locator("table tbody tr")
        assert await rows.count() == 2 and "CheckoutTest.total" in await rows.first.inner_text()
        unlabelled = await page.locator("input:not([type=hidden]), select").evaluate_all(
            "els => els.filter(e => !e.labels || e.labels.length === 0).map(e => e.name)")
        assert unlabelled == []
        await page.screenshot(path=str(site.shots / "no-js.png"), full_page=True)
        assert_decent_screenshot(site.shots / "no-js.png")
    finally:
        await context.close()


async def test_a_reader_cannot_approve_and_new_failures_arrive_live(site: Site, browser: Any) -> None:
    site.repo.permissions["alice"] = ("read", "read")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(site.url + "/login")
        await page.get_by_text("Signed in as").wait_for()
        await page.get_by_role("link", name="Fixes").click()
        await page.get_by_role("button", name=f"Approve {site.fix_id}").click()
        await page.locator("#notice").wait_for()
        assert "write, maintain or admin" in await page.locator("#notice").inner_text()
        row = await fix_store.get_fix(site.deps.pool, site.installation_id, site.fix_id)
        assert row is not None and row.status == "suggested"

        await page.get_by_role("link", name="Overview").click()
        await page.locator("#live-status", has_text="connected").wait_for()
        async with httpx.AsyncClient(base_url=site.url, headers={"x-api-key": site.key}) as api:
            body = run_body("live-1", repository="jenkins/shop", snapshotLinks=[], failedTests=[
                {"name": "CartTest.empty", "message": "NullPointerException in Cart.total"}])
            assert (await api.post("/api/test-runs", json=body)).status_code == 200
        fresh = page.locator("#live-failures li.new", has_text="NullPointerException in Cart.total")
        await fresh.wait_for(timeout=10_000)
        await page.screenshot(path=str(site.shots / "live.png"))
        assert_decent_screenshot(site.shots / "live.png")
    finally:
        await context.close()
