"""Approving a fix from the dashboard in real Chromium: committed through the fake GitHub's Git Data API, under
the same rule as `/triage approve` (write access, asked of GitHub); a reader is refused. Needs the fixes feature."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fake_github import FakeGitHub

from .conftest import Site, assert_decent_screenshot
from .test_dashboard_browser import sign_in

pytest.importorskip("githubapp.commands.service", reason="the fixes feature is not merged yet")
pytestmark = pytest.mark.slow


async def test_approve_a_fix(site: Site, browser: Any, github: FakeGitHub) -> None:
    from storage import fixes as fix_store

    assert site.fix_id is not None
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    head_before = site.repo.head
    try:
        await sign_in(page, site)
        await page.get_by_role("link", name="Fixes").click()
        await page.get_by_role("heading", name="Apply `ruff format`").wait_for()
        await page.screenshot(path=str(site.shots / "fixes.png"), full_page=True)
        assert_decent_screenshot(site.shots / "fixes.png")
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


async def test_a_reader_cannot_approve(site: Site, browser: Any) -> None:
    from storage import fixes as fix_store

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
    finally:
        await context.close()
    row = await fix_store.get_fix(site.deps.pool, site.installation_id, site.fix_id or "")
    assert row is not None and row.status == "suggested"
