"""Captures of a real local site with real Chromium: artifacts, HAR and console contents, diffs, the guard."""

import asyncio
import io
import json

import pytest
from PIL import Image

from snapshot.capture import CaptureLimits, CaptureOptions, Snapshotter, Viewport
from snapshot.diff import compare
from snapshot.guard import BlockedURL
from tests.support.preview_site import BOX, serve_site

VIEWPORT = Viewport(400, 300)
FAST = CaptureLimits(attempts=2, backoff_s=0.1, attempt_timeout_s=15, network_idle_timeout_s=3)
OPTIONS = CaptureOptions(viewport=VIEWPORT, wait_for_selector="#app:has-text('ready')", limits=FAST)


async def test_capture_records_every_artifact(browser) -> None:  # type: ignore[no-untyped-def]
    with serve_site(version=1) as site:
        [capture] = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(site.url, ["/"], OPTIONS)

    assert capture.ok, capture.error
    assert capture.status == 200 and capture.attempts == 1
    # screenshot: a real PNG of the viewport width, the red box at the top left on a white page (the pixels
    # checked are beside the box, never under the "ready" text, whose glyphs vary with the installed fonts)
    image = Image.open(io.BytesIO(capture.screenshot or b"")).convert("RGB")
    assert image.width == VIEWPORT.width and image.height >= VIEWPORT.height
    assert image.getpixel((10, 10)) == (255, 0, 0) and image.getpixel((BOX[0] - 1, BOX[1] - 1)) == (255, 0, 0)
    assert image.getpixel((BOX[0] + 10, 10)) == (255, 255, 255)
    assert image.getpixel((VIEWPORT.width - 10, VIEWPORT.height - 10)) == (255, 255, 255)
    # HTML: the DOM after scripts ran
    assert b'<main id="app">ready</main>' in (capture.html or b"")
    # HAR: the page, the 404 fetch and the refused connection, cookies redacted
    har = json.loads(capture.har or b"{}")
    entries = {e["request"]["url"]: e for e in har["log"]["entries"]}
    assert entries[site.url + "/"]["response"]["status"] == 200
    assert entries[site.url + "/api/missing"]["response"]["status"] == 404
    cookies = [
        h["value"] for e in entries.values() for h in e["response"]["headers"] if h["name"].lower() == "set-cookie"
    ]
    assert cookies and all("site-secret-cookie" not in c for c in cookies)
    assert "site-secret-cookie" not in (capture.har or b"").decode()
    # console: levels and locations
    levels = {(m.level, m.text.split(":")[0]) for m in capture.console}
    assert ("log", "booting version 1") in levels
    assert ("warning", "deprecated api used") in levels
    error = next(m for m in capture.console if m.text.startswith("Failed to load config"))
    assert error.level == "error" and error.url == site.url + "/" and error.line is not None
    # failed requests: HTTP 404 and a network error
    failed = {(r.url, r.status, bool(r.failure)) for r in capture.failed_requests}
    assert (site.url + "/api/missing", 404, False) in failed
    assert any(r.url.endswith("/unreachable") and r.failure for r in capture.failed_requests)
    assert capture.page_errors == ()
    assert capture.blocked == ()
    summary = capture.summary()
    assert json.loads(json.dumps(summary))["console"][0]["level"] in {"log", "warning", "error"}


async def test_visual_change_and_new_errors_against_the_green_version(browser) -> None:  # type: ignore[no-untyped-def]
    snapshotter = Snapshotter(browser, allow_hosts=["127.0.0.1"])
    with serve_site(version=1) as site:
        [green] = await snapshotter.capture(site.url, ["/"], OPTIONS)
        site.version = 2
        [red] = await snapshotter.capture(site.url, ["/"], OPTIONS)
    assert green.ok and red.ok

    diff = compare(red.summary(), green.summary(), red.screenshot, green.screenshot)
    assert diff.pixels is not None and not diff.pixels.size_changed
    expected = BOX[0] * BOX[1] / (diff.pixels.width * diff.pixels.height)
    assert diff.pixels.changed_share == pytest.approx(expected, rel=0.02)
    assert diff.pixels.bbox == (0, 0, BOX[0], BOX[1])
    # the console error with a timestamp in it is the same error in both: not new
    assert [m["text"] for m in diff.new_console_errors] == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    assert [e["message"] for e in diff.new_page_errors] == ["v2 exploded at render 42"]
    assert [r["url"].rsplit("/", 1)[1] for r in diff.new_failed_requests] == ["v2-only"]

    same = compare(green.summary(), green.summary(), green.screenshot, green.screenshot)
    assert same.pixels is not None and same.pixels.changed_pixels == 0
    assert not (same.new_console_errors or same.new_failed_requests or same.new_page_errors)


async def test_several_routes_share_one_guard(browser) -> None:  # type: ignore[no-untyped-def]
    with serve_site() as site:
        captures = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(
            site.url, ["/", "/about", "/nope"], CaptureOptions(viewport=VIEWPORT, limits=FAST)
        )
    assert [c.route for c in captures] == ["/", "/about", "/nope"]
    assert [c.status for c in captures] == [200, 200, 404]
    assert all(c.screenshot and c.har and c.html for c in captures)


async def test_retries_with_backoff_then_reports_the_error(browser) -> None:  # type: ignore[no-untyped-def]
    with serve_site() as site:
        dead = f"http://127.0.0.1:{site.dead_port}"
    limits = CaptureLimits(attempts=3, backoff_s=0.05, attempt_timeout_s=5, network_idle_timeout_s=1)
    [capture] = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(
        dead, ["/"], CaptureOptions(viewport=VIEWPORT, limits=limits)
    )
    assert not capture.ok and capture.attempts == 3
    assert capture.error and ("ERR_" in capture.error or "502" in capture.error)


async def test_dialogs_are_dismissed(browser) -> None:  # type: ignore[no-untyped-def]
    with serve_site() as site:
        [capture] = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(
            site.url, ["/slow-dialog"], CaptureOptions(viewport=VIEWPORT, limits=FAST)
        )
    assert capture.ok and b"<title>after</title>" in (capture.html or b"")


async def test_total_time_is_capped(browser) -> None:  # type: ignore[no-untyped-def]
    with serve_site() as site:
        options = CaptureOptions(
            viewport=VIEWPORT,
            wait_for_selector="#never",
            limits=CaptureLimits(
                attempts=3,
                backoff_s=0.1,
                attempt_timeout_s=5,
                network_idle_timeout_s=0.5,
                total_timeout_s=1.5,
            ),
        )
        started = asyncio.get_running_loop().time()
        [capture] = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(site.url, ["/"], options)
    assert asyncio.get_running_loop().time() - started < 5
    assert not capture.ok and capture.error == "capture exceeded 1.5 s"


async def test_artifact_caps(browser) -> None:  # type: ignore[no-untyped-def]
    limits = CaptureLimits(
        attempts=1, network_idle_timeout_s=2, max_html_bytes=200, max_har_bytes=1500, max_log_entries=2
    )
    with serve_site() as site:
        [capture] = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(
            site.url, ["/"], CaptureOptions(viewport=VIEWPORT, limits=limits)
        )
    assert len(capture.html or b"") <= 200
    assert len(capture.har or b"") <= 1500 and json.loads(capture.har or b"")["log"]["comment"].startswith("truncated")
    assert len(capture.console) == 2
    assert any("HTML over 200 bytes" in n for n in capture.notes)
    assert any("dropped" in n for n in capture.notes)


# --- security: the guard in a real browser ---


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/",
        "http://[::1]/",
        "http://2130706433/",
        "file:///etc/passwd",
    ],
)
async def test_internal_targets_are_refused_before_any_browsing(browser, url: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BlockedURL):
        await Snapshotter(browser).capture(url, ["/"], CaptureOptions(viewport=VIEWPORT, limits=FAST))


async def test_redirect_to_metadata_address_is_blocked_without_a_request(browser) -> None:  # type: ignore[no-untyped-def]
    from snapshot.proxy import GuardedProxy

    opened: list[str] = []
    real_open = GuardedProxy._open

    async def spying_open(self, url, host, port):  # type: ignore[no-untyped-def]
        try:
            reader_writer = await real_open(self, url, host, port)
        except BlockedURL:
            raise
        opened.append(host)
        return reader_writer

    GuardedProxy._open = spying_open  # type: ignore[method-assign]
    try:
        with serve_site() as site:
            [capture] = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(
                site.url, ["/metadata-redirect"], CaptureOptions(viewport=VIEWPORT, limits=FAST)
            )
    finally:
        GuardedProxy._open = real_open  # type: ignore[method-assign]
    assert [b.url for b in capture.blocked] == ["http://169.254.169.254/latest/meta-data/iam/"]
    assert "link-local" in capture.blocked[0].reason
    assert opened and set(opened) == {"127.0.0.1"}  # no socket was ever opened towards 169.254.169.254
    assert not capture.ok and capture.attempts == 1  # a refusal is final: no retries
    assert capture.error == "blocked: link-local address (169.254.0.0/16, cloud metadata)"
    assert b"blocked by snapshot guard" in (capture.html or b"")  # the evidence is kept
    har = json.loads(capture.har or b"{}")
    assert [e["response"]["status"] for e in har["log"]["entries"]][:1] == [302]


async def test_subresource_to_private_address_is_blocked(browser) -> None:  # type: ignore[no-untyped-def]
    with serve_site() as site:
        [capture] = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(
            site.url, ["/private-image"], CaptureOptions(viewport=VIEWPORT, limits=FAST)
        )
    assert capture.ok
    blocked = [r for r in capture.failed_requests if r.blocked]
    assert [r.url for r in blocked] == ["http://10.0.0.1/secret.png"]
    assert any(b.url == "http://10.0.0.1/secret.png" and "private" in b.reason for b in capture.blocked)


async def test_proxy_refuses_other_clients(browser) -> None:  # type: ignore[no-untyped-def]
    """The loopback proxy is no open relay: without the per-capture password it answers 407."""
    import httpx

    from snapshot.guard import Guard
    from snapshot.proxy import GuardedProxy

    with serve_site() as site:
        async with GuardedProxy(Guard(["127.0.0.1"])) as proxy:
            async with httpx.AsyncClient(proxy=f"http://127.0.0.1:{proxy.port}") as client:
                response = await client.get(site.url + "/")
            assert response.status_code == 407
            user, password = proxy.playwright_proxy["username"], proxy.playwright_proxy["password"]
            async with httpx.AsyncClient(proxy=f"http://{user}:{password}@127.0.0.1:{proxy.port}") as client:
                assert (await client.get(site.url + "/")).status_code == 200
                blocked = await client.get("http://169.254.169.254/latest/")
            assert blocked.status_code == 403
            assert [c.address for c in proxy.log.connections] == ["127.0.0.1"]


async def test_names_are_resolved_once_by_the_guard_not_by_the_browser(browser) -> None:  # type: ignore[no-untyped-def]
    """DNS rebinding: the first answer is checked and used for every connection; later answers never are.

    ``preview.test`` exists in no DNS, so a capture that works proves Chromium never resolved it itself.
    """
    calls: list[str] = []

    async def rebinding_resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.1"]  # would be internal on a second lookup

    with serve_site() as site:
        snapshotter = Snapshotter(browser, allow_hosts=["preview.test"], resolver=rebinding_resolver)
        captures = await snapshotter.capture(
            f"http://preview.test:{site.port}", ["/", "/about"], CaptureOptions(viewport=VIEWPORT, limits=FAST)
        )
    assert [c.status for c in captures] == [200, 200]
    assert calls == ["preview.test"]
    assert site.hits.count("/") == 1 and site.hits.count("/about") == 1


async def test_routes_past_the_capture_budget_are_skipped(browser) -> None:  # type: ignore[no-untyped-def]
    limits = CaptureLimits(
        attempts=3, backoff_s=0.1, attempt_timeout_s=5, network_idle_timeout_s=0.5, capture_budget_s=2.5
    )
    options = CaptureOptions(viewport=VIEWPORT, wait_for_selector="#never", limits=limits)
    with serve_site() as site:
        captures = await Snapshotter(browser, allow_hosts=["127.0.0.1"]).capture(site.url, ["/", "/about"], options)
    assert captures[0].error == "capture exceeded 2.5 s"
    assert captures[1].error == "skipped: the capture budget of 2.5 s was used up" and captures[1].attempts == 0


async def test_browser_handle_launches_once_and_relaunches_a_dead_browser() -> None:
    from snapshot.browser import BrowserHandle
    from tests.support.services import chromium_path

    handle = BrowserHandle(chromium_path())
    try:
        first = await handle.get()
        assert await handle.get() is first
        with serve_site() as site:
            [capture] = await Snapshotter(first, allow_hosts=["127.0.0.1"]).capture(
                site.url, ["/"], CaptureOptions(viewport=VIEWPORT, limits=FAST)
            )
        assert capture.ok
        await first.close()  # as if Chromium crashed
        second = await handle.get()
        assert second is not first and second.is_connected()
    finally:
        await handle.close()
