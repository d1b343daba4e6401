"""`/triage quarantine` changes the next report: the pipeline's triage job (real engine, history, report)
marks the test's failure quarantined and the check run no longer fails; `/triage unquarantine` undoes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from gidgethub.httpx import GitHubAPI

from githubapp.commands.service import handle_issue_comment
from githubapp.deps import Deps
from githubapp.pipeline import jobs, triggers
from githubapp.runtime import open_deps
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel
from tests.support.github_repo import RepoModel

from .conftest import comment_payload

PYTEST_LOG = "\n".join(
    f"2026-04-23T04:08:{i:02d}.0000000Z {line}"
    for i, line in enumerate(
        [
            "##[group]Run pytest",
            "##[endgroup]",
            "tests/test_a.py::test_flaky FAILED",
            "=================================== FAILURES ===================================",
            "_________________________________ test_flaky _________________________________",
            "    def test_flaky():",
            ">       assert fetch() == 200",
            "E       assert 503 == 200",
            "tests/test_a.py:4: AssertionError",
            "=========================== short test summary info ============================",
            "FAILED tests/test_a.py::test_flaky - assert 503 == 200",
            "============================== 1 failed in 0.12s ===============================",
            "##[error]Process completed with exit code 1.",
        ]
    )
)


@pytest.fixture
async def pipeline_deps(github: FakeGitHub, settings_for) -> AsyncIterator[Deps]:  # type: ignore[no-untyped-def]
    async with open_deps(
        settings_for(github_api_url=github.url, github_app_slug="ci-triage"), run_migrations=False
    ) as opened:
        yield opened


async def triage(deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int, run_id: int) -> dict[str, Any]:
    job_id = run_id * 10
    github.paginate(
        f"/repos/{repo.full_name}/actions/runs/{run_id}/jobs",
        [
            {
                "id": job_id,
                "run_id": run_id,
                "run_attempt": 1,
                "name": "tests",
                "status": "completed",
                "conclusion": "failure",
                "html_url": None,
                "steps": [],
            }
        ],
    )
    github.paginate(f"/repos/{repo.full_name}/actions/runs/{run_id}/artifacts", [])
    github.job_logs(repo.owner, repo.repo, job_id=job_id, text=PYTEST_LOG)
    # Attribution's merge base and base-branch runs: not known to this model (404), no runs on main.
    RepoModel(github, repo.owner, repo.repo, repository_id=repo.repo_id, workflow_id=1)
    ref = triggers.RunRef(
        installation_id=installation_id,
        repository_id=repo.repo_id,
        repo=repo.full_name,
        default_branch="main",
        run_id=run_id,
        attempt=1,
        head_sha=repo.head,
        workflow_id=1,
        workflow_name="CI",
        head_branch=repo.branch,
        pr_numbers=(repo.pr_number,),
    )
    await jobs.triage_run({"deps": deps, "job_try": 1}, ref.as_job_arg())
    run = max(github.check_runs_for(repo.owner, repo.repo, repo.head), key=lambda r: r["id"])
    return run


async def test_quarantine_changes_the_next_report(
    gh: GitHubAPI,
    pipeline_deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    first = await triage(pipeline_deps, github, repo, installation_id, 9_001)
    assert first["conclusion"] == "failure"
    assert "(quarantined)" not in github.issue_comments(repo.owner, repo.repo, repo.pr_number)[0]["body"]

    await handle_issue_comment(
        gh,
        pipeline_deps,
        comment_payload(repo, installation_id, "/triage quarantine tests/test_a.py::test_flaky --days 7"),
    )
    second = await triage(pipeline_deps, github, repo, installation_id, 9_002)
    assert second["conclusion"] != "failure"
    sticky = github.issue_comments(repo.owner, repo.repo, repo.pr_number)[0]["body"]
    assert "(quarantined)" in sticky

    await handle_issue_comment(
        gh, pipeline_deps, comment_payload(repo, installation_id, "/triage unquarantine tests/test_a.py::test_flaky")
    )
    third = await triage(pipeline_deps, github, repo, installation_id, 9_003)
    assert third["conclusion"] == "failure"
