"""The dashboard in real Chromium (Playwright): sign in through the OAuth flow against the fake GitHub, navigate,
filter, open a failure with its snapshot and a pattern, mute it, read it all without JavaScript, and see a new
failure arrive live. Screenshots are checked for content and kept in the test's tmp dir."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import Site, assert_decent_screenshot, run_body

pytestmark = pytest.mark.slow


async def sign_in(page: Any, site: Site) -> None:
    """The real OAuth flow: /login -> GitHub's authorize -> /auth/callback -> overview."""
    await page.goto(site.url + "/")
    await page.get_by_role("link", name="Sign in with GitHub").click()
    await page.wait_for_url(site.url + "/")
    await page.get_by_text("Signed in as").wait_for()


async def test_navigate_filter_open_and_mute(site: Site, browser: Any) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        await sign_in(page, site)
        assert await page.get_by_role("heading", name="Overview").is_visible()
        # Every seeded run finished today: one day of data draws no line, it says so
        assert "Not enough data" in await page.locator(".chart-empty").first.inner_text()
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

        # Failure detail: excerpt, snapshot image, pattern; then the pattern page, muted
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

        # Failures list filtered by kind through the form
        await page.get_by_role("link", name="Failures").first.click()
        await page.get_by_label("Kind").select_option("compile")
        await page.get_by_role("button", name="Filter").click()
        await page.get_by_text("No failures match.").wait_for()
    finally:
        await context.close()
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


async def test_new_failures_arrive_live(site: Site, browser: Any) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(site.url + "/login")
        await page.get_by_text("Signed in as").wait_for()
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
