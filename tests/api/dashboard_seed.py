"""Seeded data for the dashboard's page tests and screenshots: a week of GitHub Actions runs of the site's GitHub
repository (failures with run, job, pull request and commit; raw excerpts with escape codes in several notations
and runner timestamps; a line too long for any screen), a pattern with a resolution, a flaky test and a
regression that is not flaky. Written through the same services and stores the app uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analysis.types import Failure, FailureKind
from githubapp.history.service import RunContext, history_of
from storage import ci_runs
from storage import history as history_store

from .conftest import Site

FLAKY_TEST = "tests/test_checkout.py::test_total_with_coupon"
REGRESSION_TEST = "tests/test_cart.py::test_empty_cart"
LONG_TOKEN = "x" * 400  # a minified-bundle line: no break opportunity at all
RAW_EXCERPT = "\n".join([
    "2026-12-01T10:00:00.1234567Z ##[group]Run pytest -q",
    "2026-12-01T10:00:00.2234567Z pytest -q",
    "2026-12-01T10:00:00.3234567Z ##[endgroup]",
    "2026-12-01T10:00:01.1234567Z \x1b[31mFAILED\x1b[0m tests/test_cart.py::test_total - AssertionError",
    "2026-12-01T10:00:01.2234567Z ^[[36mE       assert 41 == 42^[[0m",
    "2026-12-01T10:00:01.3234567Z \\x1b[1mtests/test_cart.py\\x1b[0m:12: AssertionError",
    f"2026-12-01T10:00:01.4234567Z bundle: {LONG_TOKEN}",
    "2026-12-01T10:00:02.1234567Z ##[error]Process completed with exit code 1.",
    "2026-12-01T10:00:03.1234567Z Post job cleanup.",
    "2026-12-01T10:00:03.2234567Z [command]/usr/bin/git version",
])


@dataclass(frozen=True)
class Seeded:
    full_name: str
    github_failure_id: int
    pattern_id: int
    run_id: int
    job_id: int
    pr_number: int
    head_sha: str


async def seed_github_week(site: Site) -> Seeded:
    deps, inst, repo_id = site.deps, site.installation_id, site.repo_id
    history = history_of(deps)
    full_name = site.full_name
    pr_number = site.repo.pr_number if site.repo is not None else 7
    now = datetime.now(UTC)
    base_run = 8_000_000 + int(uuid.uuid4().int % 1_000_000)
    cart = Failure(FailureKind.TEST, "pytest", "AssertionError: assert 41 == 42",
                   test_id="tests/test_cart.py::test_total", file="tests/test_cart.py", line=12,
                   fingerprint="seed-cart-total")
    lint = Failure(FailureKind.LINT, "ruff", "F401 [*] `os` imported but unused", file="src/shop/app.py", line=1,
                   fingerprint="seed-ruff-f401")
    first = None
    last_sha = ""
    for i, days_ago in enumerate((6, 5, 3, 2, 1, 0)):
        run_id, sha = base_run + i, uuid.uuid4().hex + uuid.uuid4().hex[:8]
        when = now - timedelta(days=days_ago, minutes=5)
        failed = days_ago != 5
        async with deps.pool.acquire() as conn:
            await ci_runs.insert_run(
                conn, inst, repo_id, source="github", client_id=f"{run_id}:1", ci="github-actions",
                branch="feature/cart", commit_sha=sha, conclusion="failure" if failed else "success",
                failed_tests=1 if failed else 0, duration_seconds=420.0, started_at=when - timedelta(minutes=7),
                finished_at=when, snapshot_links=[], request_sha256=None,
            )
        if not failed:
            continue
        context = RunContext(run_id=run_id, run_attempt=1, job_id=run_id * 10 + 1, job_name="test (3.11)",
                             head_sha=sha, branch="feature/cart", pr_number=pr_number, seen_at=when,
                             excerpts={0: RAW_EXCERPT})
        failures = [cart, lint] if days_ago in (1, 0) else [cart]
        matches = await history.record_failures(inst, repo_id, failures, context)
        if first is None:
            first = (matches[0].pattern_id, run_id, run_id * 10 + 1)
        last_sha = sha
    assert first is not None
    pattern_id, run_id, job_id = first
    failure_id = await deps.pool.fetchval(
        "SELECT id FROM failures WHERE installation_id = $1 AND run_id = $2 AND job_id = $3 ORDER BY id LIMIT 1",
        inst, run_id, job_id)
    async with deps.pool.acquire() as conn:
        fixed = uuid.uuid4().hex + uuid.uuid4().hex[:8]
        await history_store.set_resolution(conn, inst, [pattern_id], {
            "fixed_sha": fixed, "commits": [fixed], "pr_number": pr_number, "run_id": base_run + 1,
            "changed_files": ["src/shop/cart.py", "tests/test_cart.py"],
            "resolved_at": (now - timedelta(days=5)).isoformat(), "failing_sha": last_sha, "repository_id": repo_id,
        })
    await _seed_flakiness(site, base_run)
    return Seeded(full_name, int(failure_id), pattern_id, run_id, job_id, pr_number, last_sha)


async def _seed_flakiness(site: Site, base_run: int) -> None:
    """A test that failed and passed on the same commits (flaky), and one that passed on a retry once but has
    failed on every commit since (a regression: a little flake evidence, far below the threshold)."""
    history = history_of(site.deps)
    now = datetime.now(UTC)
    rows = [
        (FLAKY_TEST, "s1", 1, "failed"), (FLAKY_TEST, "s1", 2, "passed"),
        (FLAKY_TEST, "s2", 1, "failed"), (FLAKY_TEST, "s2", 2, "passed"),
        (FLAKY_TEST, "s3", 1, "failed"), (FLAKY_TEST, "s3", 2, "passed"),
        (REGRESSION_TEST, "s1", 1, "failed"), (REGRESSION_TEST, "s1", 2, "passed"),
        (REGRESSION_TEST, "s2", 1, "failed"), (REGRESSION_TEST, "s3", 1, "failed"),
        (REGRESSION_TEST, "s4", 1, "failed"), (REGRESSION_TEST, "s5", 1, "failed"),
    ]
    for n, (test_id, sha, attempt, outcome) in enumerate(rows):
        await history.record_test_outcomes(
            site.installation_id, site.repo_id, [(test_id, outcome)], head_sha=f"{sha}-{base_run}",
            run_id=base_run + 100 + int(sha[1:]), run_attempt=attempt, job="test", branch="feature/cart",
            recorded_at=now - timedelta(hours=len(rows) - n),
        )
