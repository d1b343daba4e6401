"""Snapshot wall time and artifact sizes on the local test site, beside bare Playwright in the same run.

Baselines, same browser and site, interleaved run by run:
- ``bare``: new context, ``page.goto`` + viewport ``page.screenshot`` (the least a snapshot can cost);
- ``same waits``: also network idle + full-page screenshot + ``page.content()``, without guard, proxy or HAR,
  so the difference to ``capture`` is what the safety and evidence cost.
``python -m benchmarks snapshot [--runs=N]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any


async def _timed(fn: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await fn()
    return time.perf_counter() - started


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:7.0f} ms   p90 {p90 * 1000:7.0f} ms   n={len(ordered)}"


async def run(runs: int) -> int:
    from playwright.async_api import async_playwright

    from snapshot.browser import CHROMIUM_ARGS
    from snapshot.capture import CaptureLimits, CaptureOptions, Snapshotter, Viewport
    from snapshot.diff import pixel_diff
    from tests.support.preview_site import serve_site
    from tests.support.services import chromium_path

    viewport = Viewport(1280, 800)
    options = CaptureOptions(viewport=viewport, wait_for_selector="#app", limits=CaptureLimits(attempts=1))
    try:
        path = chromium_path()
    except RuntimeError as exc:
        print(exc)
        return 2
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, args=[*CHROMIUM_ARGS, "--no-sandbox"], headless=True)
        snapshotter = Snapshotter(browser, allow_hosts=["127.0.0.1"])
        with serve_site(version=1) as site:
            url = site.url + "/"

            async def bare() -> None:
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                page = await context.new_page()
                await page.goto(url)
                await page.screenshot()
                await context.close()

            async def same_waits() -> None:
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                page = await context.new_page()
                await page.goto(url, wait_until="load")
                await page.wait_for_load_state("networkidle")
                await page.wait_for_selector("#app")
                await page.screenshot(full_page=True, animations="disabled", caret="hide")
                await page.content()
                await context.close()

            captures: list[Any] = []

            async def capture() -> None:
                captures.append((await snapshotter.capture(site.url, ["/"], options))[0])

            samples: dict[str, list[float]] = {"bare": [], "same waits": [], "capture": []}
            await bare()  # warm-up
            await capture()
            captures.clear()
            for _ in range(runs):
                samples["bare"].append(await _timed(bare))
                samples["same waits"].append(await _timed(same_waits))
                samples["capture"].append(await _timed(capture))
            site.version = 2
            [changed] = await snapshotter.capture(site.url, ["/"], options)
        await browser.close()

    last = captures[-1]
    assert last.ok, last.error
    base = statistics.median(samples["bare"])
    waits = statistics.median(samples["same waits"])
    full = statistics.median(samples["capture"])
    print(f"snapshot wall time, local site, 1280x800, {runs} runs each (interleaved)")
    for name, values in samples.items():
        print(f"  {name:<11} {_stats(values)}")
    print(f"  capture / bare        {full / base:5.2f}x")
    print(f"  capture / same waits  {full / waits:5.2f}x   (guard + proxy + route checks + HAR + console)")
    console = json.dumps({"console": [vars(m) for m in last.console]}).encode()
    print("artifact sizes (bytes)")
    for name, data in (
        ("screenshot.png", last.screenshot),
        ("page.html", last.html),
        ("network.har", last.har),
        ("console.json", console),
    ):
        print(f"  {name:<15} {len(data or b''):>9,}")
    diff_times = []
    for _ in range(max(3, runs)):
        started = time.perf_counter()
        result = pixel_diff(changed.screenshot, last.screenshot)
        diff_times.append(time.perf_counter() - started)
    print(
        f"pixel diff {result.width}x{result.height}: {_stats(diff_times)}; "
        f"changed share {result.changed_share:.5f} (expected {100 * 50 / (result.width * result.height):.5f})"
    )
    return 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks snapshot")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(list(argv))
    return asyncio.run(run(args.runs))
