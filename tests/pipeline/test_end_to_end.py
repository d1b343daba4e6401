"""Through the real stack: signed webhook → uvicorn → PostgreSQL + Redis → arq worker → fake GitHub.

A pytest failure in a real-format job log is reported in a "CI Triage" check run with annotations on the
right file and line and in exactly one PR comment; the same fault in a later run is "seen before" (2
occurrences) and the comment is edited, not duplicated; a passing run updates the comment and records how
the failure was fixed.
"""

from __future__ import annotations

import asyncio
import copy
from itertools import count
from typing import Any

import pytest

from githubapp.report.links import run_page_url
from storage import reports as db
from tests.support.fake_github import FakeGitHub
from tests.support.github_repo import RepoModel
from tests.support.payloads import load_payload

from .gha import job_log, pytest_failure_output
from .stack import Stack, running_stack, wait_for

OWNER, REPO = "octo-org", "octo-repo"
PR = 2
REPOSITORY_ID = 300029405  # the octokit payloads' repository
FAILED_RUN = "completed.failure.DERIVED-from-octokit-completed.with-pull-requests"
_installations = count(880_000)


def run_payload(
    installation_id: int, run_id: int, head_sha: str, *, conclusion: str = "failure", attempt: int = 1, pr: int = PR
) -> dict[str, Any]:
    payload = load_payload("workflow_run", FAILED_RUN)
    payload["installation"] = {"id": installation_id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
    run = payload["workflow_run"]
    run.update(
        id=run_id,
        head_sha=head_sha,
        conclusion=conclusion,
        run_attempt=attempt,
        name="CI",
        html_url=f"https://github.com/{OWNER}/{REPO}/actions/runs/{run_id}",
    )
    # The octokit example's PR points at another repository; make it this repository's PR #2 (or ``pr``).
    pull = run["pull_requests"][0]
    pull["number"] = pr
    pull["base"]["repo"]["id"] = pull["head"]["repo"]["id"] = payload["repository"]["id"]
    return payload


def serve_run(github: FakeGitHub, run_id: int, log: bytes | None, *, attempt: int = 1) -> int:
    """The fake GitHub's side of one run: its jobs (one failed when ``log``), the log, no artifacts."""
    job_id = run_id * 10 + attempt
    jobs = [
        {
            "id": job_id + 1000,
            "run_id": run_id,
            "run_attempt": attempt,
            "name": "lint",
            "status": "completed",
            "conclusion": "success",
            "steps": [],
            "html_url": f"https://github.com/{OWNER}/{REPO}/runs/1",
        },
    ]
    if log is not None:
        jobs.append(
            {
                "id": job_id,
                "run_id": run_id,
                "run_attempt": attempt,
                "name": "test (3.11)",
                "status": "completed",
                "conclusion": "failure",
                "html_url": f"https://github.com/{OWNER}/{REPO}/actions/runs/{run_id}/job/{job_id}",
                "steps": [
                    {
                        "name": "Run python -m pytest -v tests",
                        "number": 4,
                        "status": "completed",
                        "conclusion": "failure",
                    }
                ],
            }
        )
        github.job_logs(OWNER, REPO, job_id=job_id, text=log)
    github.paginate(f"/repos/{OWNER}/{REPO}/actions/runs/{run_id}/jobs", jobs)
    github.paginate(f"/repos/{OWNER}/{REPO}/actions/runs/{run_id}/artifacts", [])
    return job_id


def serve_repository(github: FakeGitHub, pr: int = PR) -> RepoModel:
    """The repository's side: no config file, no fix commits, one changed file on the PR, and its commit graph
    and workflow runs (empty until a test adds some: attribution's compare and run list answer from it)."""
    github.on("GET", "/repos/{owner}/{repo}/contents/{path}", json={"message": "Not Found"}, status=404)
    # The fixes feature replays the commit that fixed a pattern last time; this repository has no such commits.
    github.on("GET", "/repos/{owner}/{repo}/commits/{ref}", json={"message": "No commit found"}, status=404)
    github.paginate(
        f"/repos/{OWNER}/{REPO}/pulls/{pr}/files",
        [
            {
                "sha": "b" * 40,
                "filename": "src/app.py",
                "status": "modified",
                "additions": 1,
                "deletions": 1,
                "changes": 2,
            }
        ],
    )
    return RepoModel(github, OWNER, REPO, repository_id=REPOSITORY_ID)


async def triaged(stack: Stack, installation: int, run_id: int, status: str = "failing") -> db.ReportRow:
    """Wait until the worker finished the run's job (its report row reaches ``status``)."""
    for _ in range(1500):
        async with stack.deps.pool.acquire() as conn:
            row = await db.get(conn, installation, run_id)
        if row is not None and row.status == status:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"run {run_id} never reached {status}")


def completed_check(github: FakeGitHub, sha: str) -> dict[str, Any] | None:
    runs = [c for c in github.check_runs_for(OWNER, REPO, sha) if c.get("status") == "completed"]
    return runs[0] if runs else None


@pytest.fixture
async def stack(github: FakeGitHub, settings_for) -> Stack:  # type: ignore[no-untyped-def]
    settings = settings_for(github_api_url=github.url, github_app_slug="ci-triage")
    github.verify_app_jwt(settings.github_private_key, settings.github_app_id)
    # The worker's crons run as in production: reconcile (minutes 3, 13, ...) may list deliveries mid-test.
    github.on("GET", "/app/hook/deliveries", json=[])
    async with running_stack(settings) as running:
        yield running  # type: ignore[misc]


@pytest.mark.slow
async def test_failure_seen_before_then_passing(stack: Stack, github: FakeGitHub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    installation = next(_installations)
    log = job_log(pytest_failure_output(str(tmp_path / "project")))
    serve_repository(github)

    # 1. A failed run on PR #2.
    sha1 = "1" * 40
    serve_run(github, 9001, log)
    response = await stack.deliver("workflow_run", run_payload(installation, 9001, sha1))
    assert response.status_code == 202, response.text
    await triaged(stack, installation, 9001)
    check = completed_check(github, sha1)
    assert check is not None
    assert check["name"] == "CI Triage" and check["conclusion"] == "failure"
    assert check["output"]["title"] == "1 failure caused by this pull request"
    dashboard = run_page_url(stack.deps.settings.public_url, f"{OWNER}/{REPO}", 9001, 1)
    assert check["details_url"] == dashboard  # "Details" on GitHub leads to the run's dashboard page
    annotations = github.annotations[check["id"]]
    assert [(a["path"], a["start_line"], a["annotation_level"]) for a in annotations] == [
        ("tests/test_app.py", 6, "failure")
    ]
    comments = github.issue_comments(OWNER, REPO, PR)
    assert len(comments) == 1 and "<!-- ci-triage:sticky -->" in comments[0]["body"]
    assert "tests/test_app.py::test_total_of_two_prices" in comments[0]["body"]
    assert "🆕 `new`" in comments[0]["body"]
    assert f"[dashboard]({dashboard})" in comments[0]["body"]

    # 2. The same fault in a later run of the same PR (a new commit): still the PR's own (its base branch does not
    # fail this way); not history: that PR's own earlier run is reported apart ("also in this PR's run").
    sha2 = "2" * 40
    serve_run(github, 9002, log)
    await stack.deliver("workflow_run", run_payload(installation, 9002, sha2))
    await triaged(stack, installation, 9002)
    check2 = completed_check(github, sha2)
    assert check2 is not None
    assert check2["output"]["title"] == "1 failure caused by this pull request"
    run1 = f"https://github.com/{OWNER}/{REPO}/actions/runs/9001"
    assert "Also in this PR's [run #" in check2["output"]["text"] and f"]({run1})" in check2["output"]["text"]
    comments = github.issue_comments(OWNER, REPO, PR)
    assert len(comments) == 1, "the sticky comment must be edited, never duplicated"
    body = comments[0]["body"]
    assert "### 🔁 Seen before" not in body and "Also in this PR's [run #" in body and f"]({run1})" in body
    assert github.calls_to("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")

    # 3. A passing run afterwards: the comment says so, and the resolution is stored on the pattern.
    sha3 = "3" * 40
    github.on(
        "GET",
        f"/repos/{OWNER}/{REPO}/compare/{sha2}...{sha3}",
        json={"commits": [{"sha": sha3}], "files": [{"filename": "src/app.py", "status": "modified"}]},
    )
    await stack.deliver("workflow_run", run_payload(installation, 9003, sha3, conclusion="success"))
    await wait_for(
        lambda: "passing now" in github.issue_comments(OWNER, REPO, PR)[0]["body"], what="the passing comment"
    )
    comments = github.issue_comments(OWNER, REPO, PR)
    assert len(comments) == 1
    assert "~~`tests/test_app.py::test_total_of_two_prices`~~" in comments[0]["body"]
    row = await triaged(stack, installation, 9002, "passing")
    assert set(row.timings) == {"setup", "fetch", "analyze", "match", "fixes", "report", "started_at"}
    assert (await triaged(stack, installation, 9001, "passing")).run_id == 9001
    async with stack.deps.pool.acquire() as conn:
        resolution = await wait_for_resolution(conn, installation)
    assert resolution["fixed_sha"] == sha3 and resolution["changed_files"] == ["src/app.py"]

    # 4. The fault comes back on another PR: seen before, with its evidence (why it matched, PR #2's runs,
    # linked) and how it was fixed last time; 3 runs with this one.
    sha4 = "6" * 40
    serve_repository(github, pr=3)
    serve_run(github, 9004, log)
    await stack.deliver("workflow_run", run_payload(installation, 9004, sha4, pr=3))
    await triaged(stack, installation, 9004)
    body = github.issue_comments(OWNER, REPO, 3)[0]["body"]
    # what the match rests on: the log, and both PRs changed src/app.py (no patch listed: the file as a whole)
    why = (
        "| same signature: same test, same assertion, same value got,"
        " and the change touched the same file: src/app.py |"
    )
    assert "### 🔁 Seen before" in body and why in body, body
    assert f"](https://github.com/{OWNER}/{REPO}/actions/runs/9002) on [PR #2](" in body
    assert "| 3 |" in body and "`3333333` changed `src/app.py`" in body, body
    check4 = completed_check(github, sha4)
    assert check4 is not None and check4["output"]["title"] == "1 failure caused by this pull request"
    assert "Seen in 3 runs" in check4["output"]["text"], check4["output"]["text"]
    assert len(github.issue_comments(OWNER, REPO, PR)) == 1


async def wait_for_resolution(conn: Any, installation: int) -> dict[str, Any]:
    for _ in range(200):
        value = await conn.fetchval(
            "SELECT resolution FROM patterns WHERE installation_id = $1 AND resolution IS NOT NULL", installation
        )
        if value:
            return dict(value)
        await asyncio.sleep(0.05)
    raise AssertionError("no resolution recorded")


@pytest.mark.slow
async def test_same_run_and_attempt_twice_updates_the_same_check_run(
    stack: Stack, github: FakeGitHub, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    installation = next(_installations)
    log = job_log(pytest_failure_output(str(tmp_path / "project")))
    serve_repository(github)
    sha = "4" * 40
    serve_run(github, 9101, log)
    payload = run_payload(installation, 9101, sha)
    await stack.deliver("workflow_run", payload)
    await triaged(stack, installation, 9101)
    first = completed_check(github, sha)
    assert first is not None
    # Run the job again directly (a redelivery is deduplicated by job id; this is arq retrying it).
    from githubapp.pipeline.jobs import triage_run
    from githubapp.pipeline.triggers import run_ref

    await triage_run({"deps": stack.deps, "job_try": 1}, run_ref(copy.deepcopy(payload)).as_job_arg())
    runs = github.check_runs_for(OWNER, REPO, sha)
    assert [r["id"] for r in runs] == [first["id"]]
    assert len(github.annotations[first["id"]]) == 1, "annotations must not be appended twice"
    assert len(github.issue_comments(OWNER, REPO, PR)) == 1

    # The same event delivered again (a new delivery id, as a manual redelivery has): not triaged again.
    await stack.deliver("workflow_run", payload)
    for _ in range(1500):  # up to 30 s: under the whole suite's load the worker can be slow to pick it up
        async with stack.deps.pool.acquire() as conn:
            done = await conn.fetchval(
                "SELECT count(*) FROM deliveries WHERE installation_id = $1 AND status = 'done'", installation
            )
        if done == 2:
            break
        await asyncio.sleep(0.02)
    assert done == 2
    await asyncio.sleep(1.0)  # time for a triage job, had one been enqueued (the worker polls every 0.2 s)
    assert len(github.calls_to("POST", "/repos/{owner}/{repo}/check-runs")) == 1
    assert len(github.calls_to("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs")) == 2  # job + direct


@pytest.mark.slow
async def test_a_failed_job_webhook_reports_at_once(stack: Stack, github: FakeGitHub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    installation = next(_installations)
    log = job_log(pytest_failure_output(str(tmp_path / "project")))
    serve_repository(github)
    payload = load_payload("workflow_job", "completed.failure.with-organization")
    payload["installation"] = {"id": installation, "node_id": "x"}
    payload["repository"].update(full_name=f"{OWNER}/{REPO}", name=REPO)  # the example is another repository's
    job = payload["workflow_job"]
    run_id, sha = 9201, "5" * 40
    job.update(run_id=run_id, head_sha=sha, name="test (3.11)")
    job_id = serve_run(github, run_id, log)
    job["id"] = job_id
    github.on(
        "GET",
        f"/repos/{payload['repository']['full_name']}/actions/runs/{run_id}",
        json={
            "id": run_id,
            "name": "CI",
            "workflow_id": 2823525,
            "run_number": 12,
            "event": "push",
            "status": "in_progress",
            "html_url": f"https://github.com/{OWNER}/{REPO}/actions/runs/{run_id}",
            "pull_requests": [],
        },
    )
    response = await stack.deliver("workflow_job", payload)
    assert response.status_code == 202
    title = "1 failure caused by this commit (run still in progress)"  # a push run: no pull request
    await wait_for(
        lambda: any(c["output"].get("title") == title for c in github.check_runs_for(OWNER, REPO, sha)),
        what="the job's early report",
    )
    check = github.check_runs_for(OWNER, REPO, sha)[0]
    assert check["status"] == "in_progress"
    assert "tests/test_app.py::test_total_of_two_prices" in check["output"]["summary"]


@pytest.mark.slow
async def test_a_pr_failing_like_its_broken_base_branch_is_not_its_fault(
    stack: Stack, github: FakeGitHub, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Webhooks as GitHub sends them: a push to main fails, then a PR run fails the same way."""
    installation = next(_installations)
    log = job_log(pytest_failure_output(str(tmp_path / "project")))
    repo = serve_repository(github)
    bad = repo.commit("main", "off by one")
    payload = run_payload(installation, 9301, bad)
    payload["repository"]["default_branch"] = "main"
    payload["workflow_run"] = repo.run(9301, branch="main", sha=bad, event="push")
    serve_run(github, 9301, log)
    await stack.deliver("workflow_run", payload)
    await triaged(stack, installation, 9301)
    main_check = completed_check(github, bad)
    assert main_check is not None and main_check["output"]["title"] == "1 failure caused by this commit"

    repo.branch("feature", "main")
    head = repo.commit("feature", "docs")
    pr = {
        "url": f"https://api.github.com/repos/{OWNER}/{REPO}/pulls/{PR}",
        "id": 1,
        "number": PR,
        "head": {"ref": "feature", "sha": head, "repo": {"id": REPOSITORY_ID, "url": "", "name": REPO}},
        "base": {"ref": "main", "sha": bad, "repo": {"id": REPOSITORY_ID, "url": "", "name": REPO}},
    }
    payload = run_payload(installation, 9302, head)
    payload["repository"]["default_branch"] = "main"
    payload["workflow_run"] = repo.run(9302, branch="feature", sha=head, event="pull_request", pull_requests=[pr])
    serve_run(github, 9302, log)
    await stack.deliver("workflow_run", payload)
    await triaged(stack, installation, 9302)
    check = completed_check(github, head)
    assert check is not None and check["conclusion"] == "neutral"
    assert check["output"]["title"] == "No failures caused by this pull request"
    body = github.issue_comments(OWNER, REPO, PR)[0]["body"]
    assert "### 🧱 `pre-existing`: failing on `main` too (1)" in body
    assert "(https://github.com/octo-org/octo-repo/actions/runs/9301)" in body
