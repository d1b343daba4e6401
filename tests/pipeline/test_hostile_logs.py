"""Hostile logs (issue 19): analysed in a limited child process, so ``serve`` keeps answering while one is
triaged; a child that exceeds its limits or dies gives a clear reason and the run is still reported; a job
log is streamed to disk, never held whole by the worker."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import tracemalloc

import httpx
import pytest

from githubapp.analysis_pool import AnalysisFailed, Limits, run_isolated
from githubapp.deps import Deps
from githubapp.pipeline.jobs import triage_run
from githubapp.runtime import open_deps
from tests.support.fake_github import FakeGitHub

from .gha import job_log
from .stack import Stack
from .test_end_to_end import run_payload, serve_repository, serve_run, stack, triaged
from .test_triage import check_of, ctx, ref

__all__ = ["stack"]  # a fixture used here (deps comes from conftest)


# -- the pool's limits ------------------------------------------------------------------------------------


def spin() -> None:
    while True:
        pass


def hoard() -> bytes:
    return b"x" * (3 << 30)


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def nap(seconds: float) -> str:
    time.sleep(seconds)
    return "rested"


def fail() -> None:
    raise ValueError("a bad log")


async def test_a_result_comes_back() -> None:
    assert await run_isolated(nap, 0.01) == "rested"


async def test_cpu_time_limit() -> None:
    with pytest.raises(AnalysisFailed, match="more than its 1 s of CPU time"):
        await run_isolated(spin, limits=Limits(cpu_seconds=1))


async def test_memory_limit() -> None:
    with pytest.raises(AnalysisFailed, match="more than its 512 MiB of memory"):
        await run_isolated(hoard, limits=Limits(memory_bytes=512 << 20))


async def test_a_crashed_child() -> None:
    with pytest.raises(AnalysisFailed, match="crashed \\(SIGSEGV\\)"):
        await run_isolated(crash)


async def test_wall_clock_limit() -> None:
    with pytest.raises(AnalysisFailed, match="longer than 1 s"):
        await run_isolated(nap, 30, limits=Limits(wall_seconds=1))


async def test_an_exception_in_the_child_is_raised_in_the_parent() -> None:
    with pytest.raises(ValueError, match="a bad log"):
        await run_isolated(fail)


# -- the pipeline ----------------------------------------------------------------------------------------


def hostile_log() -> bytes:
    """A jest failure (so the fix rules read the log too) among lines that made today's patterns backtrack:
    an 80 KB run of "Snapshot `" (3.4 s in one regex call, GIL held) and pre-commit lines of dots."""
    lines = (
        "FAIL src/cart.test.js",
        "  ● cart \u203a adds two prices",
        "    Snapshot name: `cart adds two prices 1`",
        "Snapshot `" * 8_000,
        *(["." * 2_000 + "xFailed"] * 30),
        "Tests:       1 failed, 1 total",
    )
    return job_log(lines)


async def test_serve_keeps_answering_health_while_a_hostile_log_is_triaged(
    stack: Stack, github: FakeGitHub
) -> None:
    installation, run_id, sha = 881_900, 9_900, "9" * 40
    serve_repository(github)
    serve_run(github, run_id, hostile_log())
    response = await stack.deliver("workflow_run", run_payload(installation, run_id, sha))
    assert response.status_code == 202
    # The client shares the server's event loop: a freeze shows as a long gap between two answers,
    # whether it falls on a request or on the pause between two.
    gaps: list[float] = []
    triage = asyncio.create_task(triaged(stack, installation, run_id))
    last = time.perf_counter()
    while not triage.done():
        health = await stack.client.get(f"{stack.url}/health")
        assert health.status_code == 200
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        await asyncio.sleep(0.02)
    await triage
    assert len(gaps) > 5
    assert max(gaps) < 1.0, sorted(gaps)[-5:]  # > 3 s in one piece when a thread ran the regex


async def test_a_log_that_cannot_be_analysed_is_reported(github: FakeGitHub, settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(github_api_url=github.url, github_app_slug="ci-triage", analysis_memory_mb=64)
    serve_repository(github)
    r = ref()
    serve_run(github, r.run_id, job_log(("E   assert 1 == 2", *("collecting pkg (1.0.1)",) * 1_000_000)))
    async with open_deps(settings, run_migrations=False) as small:  # 64 MiB: less than a 30 MB log needs
        conclusion = await triage_run(ctx(small), r.as_job_arg())
    check = check_of(github, r)
    assert conclusion == "neutral" and check["conclusion"] == "neutral", check["output"]
    assert "could not be analysed: the analysis needed more than its 64 MiB" in check["output"]["summary"]


async def test_a_job_log_is_streamed_not_held(deps: Deps, github: FakeGitHub) -> None:
    serve_repository(github)
    r = ref()
    padding = ("collecting pkg (1.0.1) -- building wheel, resolving, downloading",) * 400_000
    log = job_log(("E   assert 1 == 2", *padding))  # ~32 MB
    serve_run(github, r.run_id, log)
    # What the fake GitHub (a thread of this process) allocates to serve the log, read by a client that
    # keeps nothing: the triage may add to it only what it keeps, not the log.
    tracemalloc.start()
    async with httpx.AsyncClient() as client, client.stream("GET", github.blob(log)) as response:
        async for _ in response.aiter_bytes():
            pass
    _, serving = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    try:
        assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # held whole, decoded and split (as before), the log costs four times its size and more
    assert peak - serving < 16 << 20, f"{(peak - serving) >> 20} MiB beyond serving a {len(log) >> 20} MiB log"


async def test_fix_proposals_cross_back_from_the_child() -> None:
    from analysis.fixes.rules import rule_proposals
    from analysis.fixes.verify import materialise
    from tests.unit.analysis.fixes.test_rules import JEST_LOG, SNAP, gha

    path = "src/__tests__/__snapshots__/Link.test.js.snap"
    log = JEST_LOG + gha("E   ModuleNotFoundError: No module named 'yaml'")
    here = rule_proposals(log)
    there = await run_isolated(rule_proposals, log)
    assert [p.title for p in there] == [p.title for p in here] and len(there) == 2
    files = {path: SNAP, "requirements.txt": "requests\n"}
    assert [materialise(p, files) for p in there] == [materialise(p, files) for p in here]
