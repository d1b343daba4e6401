"""Capture routes of a web front end with Playwright Chromium: screenshot, HTML, HAR, console, errors.

Every capture runs in a fresh browser context (no cookies, storage or credentials carried over, downloads off,
service workers blocked, dialogs dismissed) whose traffic all goes through a ``GuardedProxy``; ``page.route``
refuses disallowed URLs early so they show up as blocked requests with a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import har as har_tools
from .guard import BlockedURL, Guard, Resolver
from .proxy import Blocked, GuardedProxy

PLAYWRIGHT_TIMEOUT_NAMES = ("TimeoutError",)


@dataclass(frozen=True)
class Viewport:
    width: int = 1280
    height: int = 800

    def __post_init__(self) -> None:
        if not (200 <= self.width <= 4096 and 200 <= self.height <= 4096):
            raise ValueError(f"viewport must be between 200 and 4096 pixels each way, got {self.width}x{self.height}")


@dataclass(frozen=True)
class CaptureLimits:
    attempts: int = 3
    backoff_s: float = 1.0  # doubled after each failed attempt
    attempt_timeout_s: float = 30.0  # navigation, selector and screenshot of one attempt
    network_idle_timeout_s: float = 10.0  # a page that never idles (polling) is captured anyway
    total_timeout_s: float = 120.0  # one route, all attempts included
    capture_budget_s: float = 300.0  # all routes of one capture; later routes are skipped once it is spent
    max_page_height: int = 16_384
    max_screenshot_bytes: int = 8 * 1024 * 1024
    max_html_bytes: int = 2 * 1024 * 1024
    max_har_bytes: int = 10 * 1024 * 1024
    max_log_entries: int = 500  # console messages, page errors and failed requests, each


@dataclass(frozen=True)
class CaptureOptions:
    viewport: Viewport = Viewport()
    wait_for_selector: str | None = None
    wait_for_network_idle: bool = True
    limits: CaptureLimits = CaptureLimits()


@dataclass(frozen=True)
class ConsoleMessage:
    level: str  # error | warning | info | log | debug | ...
    text: str
    url: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class PageError:
    message: str
    stack: str | None = None


@dataclass(frozen=True)
class FailedRequest:
    url: str
    method: str
    resource_type: str
    failure: str | None = None  # network error text (net::ERR_...)
    status: int | None = None  # HTTP status >= 400
    blocked: bool = False  # refused by the SSRF guard


@dataclass(frozen=True)
class RouteCapture:
    route: str
    url: str
    ok: bool
    error: str | None = None
    status: int | None = None
    final_url: str | None = None
    attempts: int = 0
    duration_s: float = 0.0
    screenshot: bytes | None = field(default=None, repr=False)
    html: bytes | None = field(default=None, repr=False)
    har: bytes | None = field(default=None, repr=False)
    console: tuple[ConsoleMessage, ...] = ()
    page_errors: tuple[PageError, ...] = ()
    failed_requests: tuple[FailedRequest, ...] = ()
    blocked: tuple[Blocked, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """JSON-ready record of everything but the artifact bytes."""
        return {
            "route": self.route,
            "url": self.url,
            "ok": self.ok,
            "error": self.error,
            "status": self.status,
            "final_url": self.final_url,
            "attempts": self.attempts,
            "duration_s": round(self.duration_s, 3),
            "console": [vars(m) for m in self.console],
            "page_errors": [vars(e) for e in self.page_errors],
            "failed_requests": [vars(r) for r in self.failed_requests],
            "blocked": [vars(b) for b in self.blocked],
            "notes": list(self.notes),
        }


def route_url(base_url: str, route: str) -> str:
    """``base_url`` + ``route`` where route is a path (``/``, ``/login?x=1``); never another host."""
    if not route.startswith("/") or route.startswith("//") or "\\" in route:
        raise ValueError(f"a route must be a path starting with '/', got {route!r}")
    return base_url.rstrip("/") + route


class _Recorder:
    """Collects page events of one attempt, bounded."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.console: list[ConsoleMessage] = []
        self.page_errors: list[PageError] = []
        self.failed: list[FailedRequest] = []
        self.blocked_urls: dict[str, str] = {}
        self.dropped = 0

    def _add(self, items: list[Any], item: Any) -> None:
        if len(items) < self.cap:
            items.append(item)
        else:
            self.dropped += 1

    def on_console(self, message: Any) -> None:
        location = message.location or {}
        self._add(
            self.console,
            ConsoleMessage(
                level=message.type,
                text=message.text[:4000],
                url=location.get("url") or None,
                line=location.get("lineNumber"),
                column=location.get("columnNumber"),
            ),
        )

    def on_page_error(self, error: Any) -> None:
        self._add(
            self.page_errors,
            PageError(str(getattr(error, "message", error))[:4000], (getattr(error, "stack", None) or None)),
        )

    def on_request_failed(self, request: Any) -> None:
        blocked = request.url in self.blocked_urls
        self._add(
            self.failed,
            FailedRequest(request.url, request.method, request.resource_type, failure=request.failure, blocked=blocked),
        )

    def on_response(self, response: Any) -> None:
        if response.status >= 400:
            request = response.request
            self._add(
                self.failed,
                FailedRequest(response.url, request.method, request.resource_type, status=response.status),
            )


class Snapshotter:
    """Captures routes with an already launched Playwright ``Browser`` (shared; contexts are per route)."""

    def __init__(self, browser: Any, *, allow_hosts: Sequence[str] = (), resolver: Resolver | None = None) -> None:
        self.browser = browser
        self.allow_hosts = tuple(allow_hosts)
        self.resolver = resolver

    async def capture(
        self, base_url: str, routes: Sequence[str] = ("/",), options: CaptureOptions = CaptureOptions()
    ) -> list[RouteCapture]:
        """Capture each route of ``base_url``. Raises ``BlockedURL`` when the base URL may not be visited."""
        guard = Guard(self.allow_hosts, resolver=self.resolver)
        await guard.check_url(base_url)
        urls = [(route, route_url(base_url, route)) for route in routes]
        deadline = time.monotonic() + options.limits.capture_budget_s
        results = []
        async with GuardedProxy(guard) as proxy:
            for route, url in urls:
                remaining = deadline - time.monotonic()
                if remaining <= 1:
                    error = f"skipped: the capture budget of {options.limits.capture_budget_s:g} s was used up"
                    results.append(RouteCapture(route, url, ok=False, error=error))
                    continue
                results.append(await self._capture_route(route, url, options, guard, proxy, budget_s=remaining))
        return results

    async def _capture_route(
        self, route: str, url: str, options: CaptureOptions, guard: Guard, proxy: GuardedProxy, *, budget_s: float
    ) -> RouteCapture:
        limits = options.limits
        timeout_s = min(limits.total_timeout_s, budget_s)
        started = time.monotonic()
        result: RouteCapture | None = None
        attempt = 0
        first_block = len(proxy.log.blocked)  # the proxy serves every route of this capture
        try:
            async with asyncio.timeout(timeout_s):
                for attempt in range(1, limits.attempts + 1):
                    last = attempt == limits.attempts
                    result = await self._attempt(route, url, options, guard, proxy, attempt, keep_partial=last)
                    if result.ok or (result.error and result.error.startswith("blocked")):
                        break
                    if not last:
                        await asyncio.sleep(limits.backoff_s * 2 ** (attempt - 1))
        except TimeoutError:
            result = RouteCapture(route, url, ok=False, attempts=attempt, error=f"capture exceeded {timeout_s:.1f} s")
        assert result is not None
        blocked = tuple(proxy.log.blocked[first_block:])
        return _replace(
            result,
            duration_s=time.monotonic() - started,
            blocked=tuple(dict.fromkeys(result.blocked + blocked)),
        )

    async def _attempt(
        self,
        route: str,
        url: str,
        options: CaptureOptions,
        guard: Guard,
        proxy: GuardedProxy,
        attempt: int,
        *,
        keep_partial: bool,
    ) -> RouteCapture:
        limits = options.limits
        recorder = _Recorder(limits.max_log_entries)
        notes: list[str] = []
        route_blocks: list[Blocked] = []

        async def check(pw_route: Any) -> None:
            request_url = pw_route.request.url
            try:
                await guard.check_url(request_url)
            except BlockedURL as exc:
                recorder.blocked_urls[request_url] = exc.reason
                route_blocks.append(Blocked(request_url, exc.reason))
                await pw_route.abort("blockedbyclient")
                return
            await pw_route.continue_()

        with tempfile.TemporaryDirectory(prefix="snapshot-") as tmp:
            har_path = Path(tmp) / "capture.har"
            context = await self.browser.new_context(
                viewport={"width": options.viewport.width, "height": options.viewport.height},
                proxy=proxy.playwright_proxy,
                service_workers="block",
                accept_downloads=False,
                record_har_path=str(har_path),
                record_har_content="embed",
                ignore_https_errors=False,
                java_script_enabled=True,
                permissions=[],
            )
            status: int | None = None
            final_url: str | None = None
            screenshot = html = None
            error: str | None = None
            keep = False
            try:
                context.set_default_timeout(limits.attempt_timeout_s * 1000)
                await context.route("**/*", check)
                page = await context.new_page()
                page.on("console", recorder.on_console)
                page.on("pageerror", recorder.on_page_error)
                page.on("requestfailed", recorder.on_request_failed)
                page.on("response", recorder.on_response)
                page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.dismiss()))
                try:
                    response = await page.goto(url, wait_until="load", timeout=limits.attempt_timeout_s * 1000)
                    status = response.status if response is not None else None
                    # A redirect hop to a refused address is answered by the proxy (page.route never sees hops).
                    refused = {b.url: b.reason for b in proxy.log.blocked}
                    if response is not None and response.url in refused:
                        error = f"blocked: {refused[response.url]}"
                    elif options.wait_for_network_idle:
                        try:
                            await page.wait_for_load_state("networkidle", timeout=limits.network_idle_timeout_s * 1000)
                        except Exception as exc:
                            if type(exc).__name__ not in PLAYWRIGHT_TIMEOUT_NAMES:
                                raise
                            notes.append(f"network not idle after {limits.network_idle_timeout_s:g} s")
                    if options.wait_for_selector and error is None:
                        await page.wait_for_selector(options.wait_for_selector, timeout=limits.attempt_timeout_s * 1000)
                    if status is not None and status >= 500:
                        error = f"HTTP {status}"
                except Exception as exc:
                    if url in recorder.blocked_urls:
                        error = f"blocked: {recorder.blocked_urls[url]}"
                    else:
                        error = _short_error(exc)
                final_url = page.url
                keep = error is None or keep_partial or error.startswith("blocked")
                if keep:
                    screenshot, shot_note = await _screenshot(page, options, limits)
                    notes.extend(shot_note)
                    html, html_note = await _html(page, limits.max_html_bytes)
                    notes.extend(html_note)
            finally:
                with contextlib.suppress(Exception):
                    await context.close()  # writes the HAR
            har: bytes | None = None
            if keep and har_path.exists():
                har, har_note = har_tools.fit(har_path.read_bytes(), limits.max_har_bytes)
                if har_note:
                    notes.append(har_note)
        if recorder.dropped:
            notes.append(
                f"{recorder.dropped} console/error/request entries over the cap of {limits.max_log_entries} dropped"
            )
        return RouteCapture(
            route=route,
            url=url,
            ok=error is None,
            error=error,
            status=status,
            final_url=final_url,
            attempts=attempt,
            screenshot=screenshot,
            html=html,
            har=har,
            console=tuple(recorder.console),
            page_errors=tuple(recorder.page_errors),
            failed_requests=tuple(recorder.failed),
            blocked=tuple(route_blocks),
            notes=tuple(notes),
        )


async def _screenshot(page: Any, options: CaptureOptions, limits: CaptureLimits) -> tuple[bytes | None, list[str]]:
    notes: list[str] = []
    try:
        height = int(
            await page.evaluate(
                "() => Math.max(document.documentElement ? document.documentElement.scrollHeight : 0,"
                " document.body ? document.body.scrollHeight : 0)"
            )
        )
    except Exception:
        height = options.viewport.height
    kwargs: dict[str, Any] = {"full_page": True, "animations": "disabled", "caret": "hide", "type": "png"}
    if height > limits.max_page_height:
        kwargs["clip"] = {"x": 0, "y": 0, "width": options.viewport.width, "height": limits.max_page_height}
        notes.append(f"page {height} px tall: screenshot cut at {limits.max_page_height} px")
    try:
        data: bytes = await page.screenshot(**kwargs)
        if len(data) > limits.max_screenshot_bytes:
            data = await page.screenshot(full_page=False, animations="disabled", caret="hide", type="png")
            notes.append(f"full-page screenshot over {limits.max_screenshot_bytes} bytes: viewport only")
        if len(data) > limits.max_screenshot_bytes:
            notes.append("screenshot over the size cap even for the viewport: dropped")
            return None, notes
        return data, notes
    except Exception as exc:
        notes.append(f"screenshot failed: {_short_error(exc)}")
        return None, notes


async def _html(page: Any, cap: int) -> tuple[bytes | None, list[str]]:
    try:
        data = (await page.content()).encode()
    except Exception as exc:
        return None, [f"HTML not captured: {_short_error(exc)}"]
    if len(data) <= cap:
        return data, []
    return data[:cap].decode(errors="ignore").encode(), [f"HTML over {cap} bytes: truncated"]


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first[:500]


def _replace(capture: RouteCapture, **changes: Any) -> RouteCapture:
    return replace(capture, **changes)
