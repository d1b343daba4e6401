"""One Chromium per process, launched on first use and relaunched if it dies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from .sandbox import no_sandbox_flag

log = logging.getLogger("ci_triage.snapshot.browser")

# Quiet, deterministic, and no traffic of its own; WebRTC may not bypass the guarded proxy with UDP.
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--dns-prefetch-disable",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)


class BrowserHandle:
    """``await handle.get()`` returns a connected Playwright ``Browser``; ``await handle.close()`` at exit."""

    def __init__(self, executable_path: str | None = None, *, sandbox: str = "auto") -> None:
        """``sandbox``: ``auto`` keeps Chromium's sandbox where this kernel and container allow it and says so
        in the log when it cannot; ``on`` requires it; ``off`` disables it (``snapshot.sandbox``)."""
        self.executable_path = executable_path
        self.sandbox = sandbox
        no_sandbox, warning = no_sandbox_flag(sandbox)
        if warning:
            log.warning(warning)
        self.sandboxed = not no_sandbox
        self.args = [*CHROMIUM_ARGS, *(["--no-sandbox"] if no_sandbox else [])]
        self._playwright: Any = None
        self._manager: Any = None
        self._browser: Any = None
        self._lock = asyncio.Lock()

    async def get(self) -> Any:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._playwright is None:
                from playwright.async_api import async_playwright

                self._manager = async_playwright()
                self._playwright = await self._manager.start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.executable_path, args=self.args, headless=True
            )
            return self._browser

    async def close(self) -> None:
        async with self._lock:
            if self._browser is not None:
                with contextlib.suppress(Exception):  # already gone
                    await self._browser.close()
                self._browser = None
            if self._manager is not None:
                await self._manager.__aexit__(None, None, None)
                self._manager = self._playwright = None
