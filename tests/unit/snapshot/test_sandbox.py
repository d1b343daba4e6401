"""Chromium keeps its sandbox where the kernel and container allow it (issue 19): detected, not assumed away;
``--no-sandbox`` only as a logged fallback or when CHROMIUM_SANDBOX=off says so."""

from __future__ import annotations

import logging
import os

import pytest

from githubapp.settings import Settings, SettingsError
from snapshot.browser import BrowserHandle
from snapshot.sandbox import SandboxSupport, no_sandbox_flag, sandbox_support
from tests.support.services import chromium_path

AVAILABLE = SandboxSupport(True, "non-root with unprivileged user namespaces")
REFUSED = SandboxSupport(False, "unshare(CLONE_NEWUSER) is refused")


def test_the_flag_follows_the_mode_and_what_the_kernel_allows() -> None:
    assert no_sandbox_flag("auto", AVAILABLE) == (False, None)  # sandboxed where possible
    disabled, warning = no_sandbox_flag("auto", REFUSED)
    assert disabled and warning is not None and "unshare" in warning  # fallback, said out loud
    assert no_sandbox_flag("on", REFUSED) == (False, None)  # required: launching will say why it fails
    assert no_sandbox_flag("off", AVAILABLE) == (True, None)  # disabled only because the setting says so
    with pytest.raises(ValueError):
        no_sandbox_flag("maybe")
    assert Settings.from_env({}).chromium_sandbox == "auto"
    with pytest.raises(SettingsError, match="CHROMIUM_SANDBOX"):
        Settings.from_env({"CHROMIUM_SANDBOX": "sometimes"})


def test_detection_on_this_machine_is_real() -> None:
    found = sandbox_support()
    if os.geteuid() == 0:
        assert not found.available and "root" in found.reason
    else:
        assert found.reason


async def test_auto_launches_a_working_browser_and_logs_a_fallback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ci_triage.snapshot.browser"):
        handle = BrowserHandle(chromium_path(), sandbox="auto")
    try:
        assert ("--no-sandbox" in handle.args) == (not sandbox_support().available)
        if not handle.sandboxed:
            assert "without its sandbox" in caplog.text
        browser = await handle.get()
        page = await browser.new_page()
        await page.set_content("<p>ok</p>")
        assert await page.inner_text("p") == "ok"
    finally:
        await handle.close()
