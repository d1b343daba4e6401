"""Every dashboard page in real Chromium (Playwright), at 1280 and 390 px: no console error, no horizontal page
overflow, and every link answers (the dashboard's own 2xx; GitHub's on the configured GITHUB_URL, a model of
github.com's web routes that answers only well-formed addresses). Then what each page promises: GitHub links of
a failure, cleaned and wrapping excerpts reachable by keyboard, a resolution in words, charts with axes and
tooltips, inline filter validation, the flaky threshold, and the API reference from the OpenAPI document.

Screenshots of each page at both widths go to the test's tmp dir, and to ``CI_TRIAGE_SCREENSHOTS`` when set
(``scripts/screenshots.py`` sets it to docs/screenshots)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from PIL import Image

from analysis.flakiness import FLAKY_SCORE
from githubapp.history.service import history_of

from .conftest import Site, assert_decent_screenshot
from .dashboard_seed import FLAKY_TEST, LONG_TOKEN, REGRESSION_TEST, Seeded, seed_github_week
from .test_dashboard_browser import sign_in

pytestmark = pytest.mark.slow
WIDTHS = (1280, 390)
SHOWN_HEIGHT = 1800  # px of each page kept for the docs
# The elements reaching past the viewport's right edge, to say what overflows
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' in '
    + e.parentElement.tagName + '.' + e.parentElement.className + ' '
    + Math.round(e.parentElement.getBoundingClientRect().right) + ' ' + getComputedStyle(e.parentElement).overflowX)"""


async def _pages(site: Site, seeded: Seeded) -> dict[str, str]:
    """Screenshot name -> path of every dashboard page, with data behind each."""
    pool = site.deps.pool
    jenkins_failure = await pool.fetchval(
        "SELECT id FROM failures WHERE installation_id = $1 AND run_id < 0 ORDER BY id LIMIT 1", site.installation_id)
    jenkins_repo = await pool.fetchval(
        "SELECT id FROM external_repositories WHERE installation_id = $1 LIMIT 1", site.installation_id)
    return {
        "overview": "/",
        "failures": "/failures",
        "run": f"/failures?repository={seeded.full_name}&github_run={seeded.run_id}&attempt=1",
        "failure": f"/failures/{seeded.github_failure_id}",
        "failure-other-ci": f"/failures/{jenkins_failure}",
        "pattern": f"/patterns/{seeded.pattern_id}",
        "repository": f"/repositories/{site.repo_id}",
        "repository-other-ci": f"/repositories/{jenkins_repo}",
        "flaky": "/flaky",
        "broken": "/broken",
        "fixes": "/fixes?status=all",
        "api": "/docs/api",
    }


def _keep(shot: Path) -> None:
    """Into ``CI_TRIAGE_SCREENSHOTS`` when set: the top of the page (a README shows what a reader sees first),
    as a palette PNG to keep the repository small."""
    wanted = os.environ.get("CI_TRIAGE_SCREENSHOTS")
    if not wanted:
        return
    Path(wanted).mkdir(parents=True, exist_ok=True)
    image = Image.open(shot).convert("RGB")
    image = image.crop((0, 0, image.width, min(image.height, SHOWN_HEIGHT)))
    image.quantize(colors=128).save(Path(wanted) / shot.name, optimize=True)


async def _visit_all(site: Site, browser: Any, pages: dict[str, str], width: int) -> dict[str, str]:
    """Open every page at ``width``: status 200, no console error, no overflow, a screenshot; then request every
    link found. Returns the links (href -> the page it is on)."""
    github_url = site.deps.settings.github_url.rstrip("/")
    links: dict[str, str] = {}
    errors: list[str] = []
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    try:
        await sign_in(page, site)
        for name, path in pages.items():
            response = await page.goto(site.url + path)
            assert response is not None and response.status == 200, (path, response and response.status)
            await page.wait_for_load_state("load")
            overflow = await page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} overflows by {overflow}px at {width}px: {await page.evaluate(WIDEST)}"
            for href in await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                url, fragment = urldefrag(href)
                if fragment and url == page.url.split("#")[0]:
                    assert await page.locator(f"[id='{fragment}']").count() == 1, (path, href)
                    continue
                links.setdefault(url, path)
            shot = site.shots / f"{name}-{width}.png"
            await page.screenshot(path=str(shot), full_page=True)
            if width >= 1000:
                assert_decent_screenshot(shot)
            _keep(shot)
        # Every link answers: the dashboard's own with 2xx, GitHub's on the configured host
        for url, found_on in sorted(links.items()):
            if url.startswith(site.url):
                answer = await context.request.get(url, max_redirects=0)
                assert 200 <= answer.status < 300, f"{url} (on {found_on}) answered {answer.status}"
            elif url.startswith(github_url + "/"):
                answer = await context.request.get(url, max_redirects=0)
                assert answer.status == 200, f"{url} (on {found_on}) is not a GitHub page: {answer.status}"
            else:  # a CI's own link (a snapshot in the artifact store); github.com itself would not answer
                answer = await context.request.get(url)
                assert 200 <= answer.status < 300, f"{url} (on {found_on}) answered {answer.status}"
    finally:
        await context.close()
    assert errors == [], errors
    return links


async def test_every_page_fits_logs_no_error_and_every_link_answers(site: Site, browser: Any) -> None:
    seeded = await seed_github_week(site)
    pages = await _pages(site, seeded)
    links: dict[str, str] = {}
    for width in WIDTHS:
        links.update(await _visit_all(site, browser, pages, width))
    github_url = site.deps.settings.github_url.rstrip("/")
    github_links = [u for u in links if u.startswith(github_url)]
    base = f"{github_url}/{seeded.full_name}"
    for expected in (f"{base}/actions/runs/{seeded.run_id}", f"{base}/actions/runs/{seeded.run_id}/job/{seeded.job_id}",
                     f"{base}/pull/{seeded.pr_number}", f"{base}/commit/{seeded.head_sha}"):
        assert expected in github_links, (expected, github_links)


async def test_a_failure_page_leads_to_github_and_reads_cleanly(site: Site, browser: Any) -> None:
    seeded = await seed_github_week(site)
    github_url = site.deps.settings.github_url.rstrip("/")
    context = await browser.new_context(viewport={"width": 390, "height": 800})
    page = await context.new_page()
    try:
        await sign_in(page, site)
        await page.goto(f"{site.url}/failures/{seeded.github_failure_id}")
        nav = page.get_by_role("navigation", name="On GitHub")
        hrefs = await nav.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        base = f"{github_url}/{seeded.full_name}"
        assert hrefs == [f"{base}/actions/runs/{seeded.run_id}",
                         f"{base}/actions/runs/{seeded.run_id}/job/{seeded.job_id}",
                         f"{base}/pull/{seeded.pr_number}"] + [h for h in hrefs if "/commit/" in h]
        assert len(hrefs) == 4 and hrefs[3].startswith(f"{base}/commit/")
        # The excerpt: escape codes (real, caret and \x1b spellings), timestamps and runner lines gone; it wraps
        excerpt = page.locator("pre.excerpt").last
        text = await excerpt.inner_text()
        assert "FAILED tests/test_cart.py::test_total - AssertionError" in text
        assert "E       assert 41 == 42" in text and "tests/test_cart.py:12: AssertionError" in text
        for junk in ("\x1b", "^[", "\\x1b", "[31m", "2026-12-01T", "Process completed", "Post job", "[command]", "##["):
            assert junk not in text, junk
        assert LONG_TOKEN in text.replace("\n", "")
        assert await excerpt.evaluate("e => e.scrollWidth <= e.clientWidth")  # wrapped, not scrolled sideways
        # Reachable by keyboard: Tab from the heading before it lands on the excerpt
        await page.locator("#excerpt-h").evaluate("h => { h.tabIndex = -1; h.focus(); }")
        await page.keyboard.press("Tab")
        assert await page.evaluate("() => document.activeElement.matches('pre.excerpt')")
        # The resolution in words and links, never a dict
        resolution = page.locator(".resolution")
        said = await resolution.inner_text()
        assert "Fixed by commit" in said and f"PR #{seeded.pr_number}" in said and "src/shop/cart.py" in said
        assert "{" not in said and "fixed_sha" not in said
        assert await resolution.locator(f"a[href='{github_url}/{seeded.full_name}/pull/{seeded.pr_number}']").count()
    finally:
        await context.close()


async def test_charts_have_axes_days_and_tooltips(site: Site, browser: Any) -> None:
    seeded = await seed_github_week(site)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await sign_in(page, site)
        await page.goto(f"{site.url}/repositories/{site.repo_id}")
        chart = page.locator("svg.chart").first
        ticks = await chart.locator("text.tick").all_text_contents()
        assert {"0%", "50%", "100%"} <= set(ticks)
        assert sum(1 for t in ticks if t[:3].isalpha()) == 3  # three dates ("Dec 01") under the x axis
        tips = await chart.locator("title").all_text_contents()
        assert any("of 1 runs failed (100%)" in t for t in tips), tips
        assert any(t.endswith(": no runs") for t in tips)  # a day without runs is a day, not skipped
        await page.goto(f"{site.url}/patterns/{seeded.pattern_id}")
        bars = page.locator("svg.chart rect.bar")
        assert await bars.count() == 5  # five days with failures of this pattern
        assert "1 failure" in (await bars.first.locator("title").text_content() or "")
    finally:
        await context.close()


async def test_bad_filters_are_named_on_the_page(site: Site, browser: Any) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await sign_in(page, site)
        await page.goto(site.url + "/failures")
        await page.get_by_label("Pattern id").fill("abc")
        await page.get_by_role("button", name="Filter").click()
        await page.locator("#err-pattern").wait_for()
        assert page.url == site.url + "/failures"  # not sent: the message is beside the field
        assert await page.get_by_label("Pattern id").get_attribute("aria-invalid") == "true"
        await page.get_by_label("Pattern id").fill("12")
        assert await page.locator("#err-pattern").count() == 0
        # Sent anyway (no script, or a link): the page itself says which filter was left out, and lists the rest
        response = await page.goto(site.url + "/failures?since=2026-02-30&kind=test")
        assert response is not None and response.status == 422
        assert await page.get_by_role("heading", name="Failures").is_visible()
        assert "A date like" in await page.locator("#err-since").inner_text()
        assert await page.locator("table tbody tr").count() == 3  # the kind filter still applied
        response = await page.goto(site.url + "/fixes?status=bogus")
        assert response is not None and response.status == 422
        assert await page.get_by_role("heading", name="Fixes").is_visible()
        assert "There is no status 'bogus'" in await page.locator("#filter-errors").inner_text()
    finally:
        await context.close()


async def test_only_flaky_tests_are_offered_for_quarantine(site: Site, browser: Any) -> None:
    await seed_github_week(site)
    history = history_of(site.deps)
    scores, _ = await history.flaky_tests(site.installation_id, site.repo_id)
    by_test = {s.test_id: s.score for s in scores}
    assert by_test[FLAKY_TEST] >= FLAKY_SCORE
    assert 0 < by_test[REGRESSION_TEST] < FLAKY_SCORE  # some flake evidence, but a regression
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await sign_in(page, site)
        await page.goto(site.url + "/flaky")
        body = await page.locator("main").inner_text()
        assert FLAKY_TEST in body and REGRESSION_TEST not in body
        if site.repo is not None:  # the fixes feature offers quarantine
            assert await page.get_by_role("button", name=f"Quarantine 14 days {FLAKY_TEST}").count() == 1
    finally:
        await context.close()


async def test_the_api_reference_renders_the_openapi_document_without_third_parties(site: Site,
                                                                                    browser: Any) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        await page.goto(site.url + "/docs/api")  # public, like the document itself
        document = await (await context.request.get(site.url + "/api/openapi.json")).json()
        assert await page.get_by_role("heading", name=document["info"]["title"]).count() == 1
        for path, item in document["paths"].items():
            for method, op in item.items():
                heading = page.locator(f"[id='{op['operationId']}']")
                assert (await heading.inner_text()).split() == [method.upper(), path]
        failure = page.locator("[id='schema-Failure']").locator("xpath=..")
        assert "runAttempt" in await failure.inner_text()
        assert all(urlsplit(u).netloc == urlsplit(site.url).netloc for u in requested), requested
    finally:
        await context.close()
