"""Suggested fixes in the report: the fixes feature's rules run on the failed job's log, and the fix appears in
the sticky comment (with the command that applies it) and as the check run's "Apply fix" button."""

from __future__ import annotations

from typing import Any

from githubapp.deps import Deps
from githubapp.pipeline.jobs import triage_run
from githubapp.pipeline.triggers import RunRef
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel
from tests.support.github_repo import RepoModel

RUFF_LOG = "\n".join(
    [
        "\ufeff2026-04-23T04:08:01.0000000Z ##[group]Run ruff format --check --diff .",
        "2026-04-23T04:08:01.1000000Z ##[endgroup]",
        "2026-04-23T04:08:02.0000000Z --- src/app.py",
        "2026-04-23T04:08:02.0000000Z +++ src/app.py",
        "2026-04-23T04:08:02.0000000Z @@ -1,3 +1,3 @@",
        "2026-04-23T04:08:02.0000000Z  import os",
        "2026-04-23T04:08:02.0000000Z -x=1",
        "2026-04-23T04:08:02.0000000Z +x = 1",
        "2026-04-23T04:08:02.0000000Z  y = 2",
        "2026-04-23T04:08:03.0000000Z 1 file would be reformatted",
        "2026-04-23T04:08:03.0000000Z ##[error]Process completed with exit code 1.",
    ]
)


async def test_a_rule_fix_is_offered_in_the_comment_and_as_a_button(deps: Deps, github: FakeGitHub) -> None:
    repo = GitModel(github, repo_id=64_646)
    repo.commit({"src/app.py": "import os\nx=1\ny = 2\n"}, message="initial")
    repo.serve()
    # Attribution asks for the merge base and the base branch's runs: this repository's graph is not known
    # there (404), and the workflow has no runs on main.
    RepoModel(github, repo.owner, repo.repo, repository_id=repo.repo_id, workflow_id=1)
    run_id, job_id = 8_101, 81_011
    github.paginate(
        f"/repos/{repo.full_name}/actions/runs/{run_id}/jobs",
        [
            {
                "id": job_id,
                "run_id": run_id,
                "run_attempt": 1,
                "name": "lint",
                "status": "completed",
                "conclusion": "failure",
                "html_url": None,
                "steps": [],
            }
        ],
    )
    github.paginate(f"/repos/{repo.full_name}/actions/runs/{run_id}/artifacts", [])
    github.job_logs(repo.owner, repo.repo, job_id=job_id, text=RUFF_LOG)
    ref = RunRef(
        installation_id=64_646,
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
    ctx: dict[str, Any] = {"deps": deps, "job_try": 1}
    await triage_run(ctx, ref.as_job_arg())
    [check] = github.check_runs_for(repo.owner, repo.repo, repo.head)
    [approve] = [a for a in check["actions"] if a["identifier"].startswith("fix:")]
    fix_id, digest = approve["identifier"].split(":", 1)[1].split("@")
    body = github.issue_comments(repo.owner, repo.repo, repo.pr_number)[0]["body"]
    assert f"`/triage approve {fix_id} {digest}`" in body and "### 🛠️ Suggested fixes" in body
    assert "+x = 1" in body  # the verified diff, behind a fold
