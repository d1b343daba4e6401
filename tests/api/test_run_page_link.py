"""The address the check run's ``details_url`` and the PR comment give (``githubapp.report.links.run_page_url``)
answers with that run attempt's failures, and only the signed-in user's."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from analysis.embedding import HashingEmbedder
from analysis.types import Failure, FailureKind
from githubapp.deps import Deps
from githubapp.history.service import HistoryService, RunContext
from githubapp.report.links import run_page_url

from .conftest import seed_installation, sign_in


def _failure(name: str) -> Failure:
    return Failure(FailureKind.TEST, "pytest", f"AssertionError: {name} went wrong in a distinct way",
                   test_id=f"tests/test_run.py::{name}", file="tests/test_run.py", line=3, fingerprint=f"fp-{name}")


async def test_the_run_page_lists_that_attempts_failures(deps: Deps, client: httpx.AsyncClient) -> None:
    await seed_installation(deps, 88, "run-org", {8801: "run-org/app"})
    history = HistoryService(deps.pool, HashingEmbedder())
    when = datetime(2026, 3, 1, tzinfo=UTC)
    for run_id, attempt, name in ((7001, 1, "test_in_first_attempt"), (7001, 2, "test_in_second_attempt"),
                                  (7002, 1, "test_in_another_run")):
        context = RunContext(run_id=run_id, run_attempt=attempt, job_id=run_id * 10 + attempt, job_name="test",
                             head_sha="a" * 40, branch="main", seen_at=when)
        await history.record_failures(88, 8801, [_failure(name)], context)
    client.cookies.update(await sign_in(deps, installations=[88], repositories=[8801]))
    url = run_page_url(deps.settings.public_url, "run-org/app", 7001, 2)
    assert url.startswith(deps.settings.public_url + "/failures?")
    page = await client.get(url.removeprefix(deps.settings.public_url))
    assert page.status_code == 200, page.text[:500]
    assert "test_in_second_attempt" in page.text
    assert "test_in_first_attempt" not in page.text and "test_in_another_run" not in page.text
    client.cookies.update(await sign_in(deps, login="outsider", installations=[99], repositories=[]))
    hidden = await client.get(url.removeprefix(deps.settings.public_url))
    assert "test_in_second_attempt" not in hidden.text
