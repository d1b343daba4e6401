"""Approving a fix from the dashboard in real Chromium: committed through the fake GitHub's Git Data API, under
the same rule as `/triage approve` (write access, asked of GitHub); a reader is refused. Needs the fixes feature."""

from __future__ import annotations

from typing import Any

import pytest

from githubapp.report.markdown import escape_text
from tests.support.fake_github import FakeGitHub

from .conftest import Site, assert_decent_screenshot
from .test_dashboard_browser import sign_in

pytestmark = pytest.mark.slow


async def seed_triage_report(site: Site) -> tuple[int, int]:
    """The PR's sticky comment and the run's check run as the pipeline publishes them for the site's fix."""
    from githubapp.github import github_of
    from storage import fixes as fix_store
    from tests.support.triage_report import publish_triage_report

    fix = await fix_store.get_fix(site.deps.pool, site.installation_id, site.fix_id or "")
    assert fix is not None
    gh = github_of(site.deps).for_installation(site.installation_id)
    return await publish_triage_report(site.deps, gh, fix, branch=site.repo.branch,
                                       run_id=7_100_000 + site.installation_id % 1000)


async def test_approve_a_fix(site: Site, browser: Any, github: FakeGitHub) -> None:
    from storage import fixes as fix_store

    assert site.fix_id is not None
    comment_id, check_run_id = await seed_triage_report(site)
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
    # The PR no longer offers `/triage approve` for it: the comment and the check run say who approved it
    body = github.comments[comment_id]["body"]
    assert f"/triage approve {site.fix_id} " not in body
    said = f"Fix `{site.fix_id}` was approved by {escape_text('@alice')} in the dashboard on "  # no ping
    assert said in body and f"committed as [`{(row.commit_sha or '')[:7]}`](" in body, body
    check = github.check_runs[check_run_id]
    assert check["output"]["summary"].startswith("✅ " + said)
    assert [a["identifier"] for a in check["actions"]] == ["retry", "explain"]  # the Apply fix button is gone


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


async def test_reject_a_fix_tells_the_pull_request(site: Site, browser: Any, github: FakeGitHub) -> None:
    comment_id, check_run_id = await seed_triage_report(site)
    context = await browser.new_context(viewport={"width": 390, "height": 800})
    page = await context.new_page()
    try:
        await sign_in(page, site)
        await page.goto(site.url + "/fixes")
        await page.get_by_label("Reason").fill("we format by hand")
        await page.get_by_role("button", name=f"Reject {site.fix_id}").click()
        await page.locator("#notice").wait_for()
        assert "rejected" in await page.locator("#notice").inner_text()
    finally:
        await context.close()
    body = github.comments[comment_id]["body"]
    assert f"/triage reject {site.fix_id}" not in body
    assert f"Fix `{site.fix_id}` was rejected by {escape_text('@alice')} in the dashboard on " in body
    assert "Reason: we format by hand" in body
    assert github.check_runs[check_run_id]["output"]["summary"].startswith("🚫 ")
