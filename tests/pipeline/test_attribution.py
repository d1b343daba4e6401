"""Is it my fault? Each failure of a run called ``new``, ``pre-existing``, ``flaky`` or ``infra``, against the
fake GitHub (with a repository model: commits, branches, workflow runs, compare), real PostgreSQL and the
real history service.

The default branch fails, then a PR fails the same way (pre-existing, neutral); a PR's own fault (new,
failure); no base-branch history, so GitHub is asked (compare, the workflow's runs, their jobs' logs); a
failure seen failing and passing on one commit (flaky); runner trouble (infra); a generic error never flaky;
a matrix of three jobs reported once; a branch broken since its first bad commit, closed by a green run.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from itertools import count
from typing import Any

import pytest

from githubapp.deps import Deps
from githubapp.pipeline.jobs import record_passing_run, triage_run
from githubapp.pipeline.triggers import RunRef
from githubapp.worker.retention import purge_history
from storage import attribution as attribution_db
from tests.support.fake_github import FakeGitHub
from tests.support.github_repo import RepoModel

from .gha import job_log, pytest_failure_output
from .test_end_to_end import OWNER, PR, REPO, REPOSITORY_ID, serve_repository

_installations = count(770_000)
_runs = count(70_000)
RUNNER_LOST = (
    "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, "
    "or a manually started runner is canceled.",
)
MAKE_ONLY = ("cc -o app main.o util.o", "make: *** [Makefile:12: app] Error 1")
MYPY = (
    "mypy src",
    'src/app.py:12: error: Incompatible return value type (got "str", expected "int")  [return-value]',
    "Found 1 error in 1 file (checked 3 source files)",
)


@pytest.fixture
def failing_log(tmp_path) -> bytes:  # type: ignore[no-untyped-def]
    return job_log(pytest_failure_output(str(tmp_path / "project")))


def ctx(deps: Deps) -> dict[str, Any]:
    return {"deps": deps, "job_try": 1}


class Scenario:
    """One installation's repository: its commits and runs on the fake GitHub, and the refs the jobs get."""

    def __init__(self, github: FakeGitHub) -> None:
        self.github = github
        self.repo: RepoModel = serve_repository(github)
        self.installation = next(_installations)

    def ref(self, run_id: int, sha: str, *, branch: str, pr: bool, attempt: int = 1) -> RunRef:
        return RunRef(
            installation_id=self.installation,
            repository_id=REPOSITORY_ID,
            repo=f"{OWNER}/{REPO}",
            default_branch="main",
            run_id=run_id,
            attempt=attempt,
            head_sha=sha,
            workflow_id=self.repo.workflow_id,
            workflow_name="CI",
            head_branch=branch,
            html_url=f"https://github.com/{OWNER}/{REPO}/actions/runs/{run_id}",
            run_number=run_id % 10_000,
            event="pull_request" if pr else "push",
            pr_numbers=(PR,) if pr else (),
            base_branch="main" if pr else None,
            head_commit_at=self.repo.timestamp(sha),  # the webhook's workflow_run.head_commit.timestamp
        )

    def serve_jobs(self, run_id: int, logs: dict[str, bytes | None], *, attempt: int = 1) -> None:
        """The run's jobs (a job with a log failed, one with None passed) and their logs."""
        jobs = []
        for index, (name, log) in enumerate(logs.items()):
            job_id = run_id * 100 + attempt * 10 + index  # a re-run's jobs are new jobs
            jobs.append(
                {
                    "id": job_id,
                    "run_id": run_id,
                    "run_attempt": attempt,
                    "name": name,
                    "status": "completed",
                    "conclusion": "failure" if log is not None else "success",
                    "html_url": f"https://github.com/{OWNER}/{REPO}/actions/runs/{run_id}/job/{job_id}",
                    "steps": [],
                }
            )
            if log is not None:
                self.github.job_logs(OWNER, REPO, job_id=job_id, text=log)
        self.github.paginate(f"/repos/{OWNER}/{REPO}/actions/runs/{run_id}/jobs", jobs)
        self.github.paginate(f"/repos/{OWNER}/{REPO}/actions/runs/{run_id}/artifacts", [])

    async def fails(self, deps: Deps, ref: RunRef, logs: dict[str, bytes | None]) -> str:
        self.serve_jobs(ref.run_id, logs, attempt=ref.attempt)
        return str(await triage_run(ctx(deps), ref.as_job_arg()))

    async def passes(self, deps: Deps, ref: RunRef) -> str:
        return str(await record_passing_run(ctx(deps), ref.as_job_arg()))

    def check(self, sha: str) -> dict[str, Any]:
        runs = [c for c in self.github.check_runs_for(OWNER, REPO, sha) if c.get("status") == "completed"]
        assert len(runs) == 1, runs
        return runs[0]

    def comment(self) -> str:
        comments = self.github.issue_comments(OWNER, REPO, PR)
        assert len(comments) == 1, comments
        return str(comments[0]["body"])

    def github_calls(self, template: str) -> list[Any]:
        return self.github.calls_to("GET", template)


async def verdicts_of(deps: Deps, installation: int, run_id: int) -> list[tuple[str, str | None]]:
    async with deps.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT coalesce(test_id, message) AS name, verdict FROM failures"
            " WHERE installation_id = $1 AND run_id = $2 ORDER BY id",
            installation,
            run_id,
        )
    return [(r["name"], r["verdict"]) for r in rows]


RUNS_OF_WORKFLOW = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"
COMPARE = "/repos/{owner}/{repo}/compare/{basehead}"


async def test_default_branch_fails_then_a_pr_fails_the_same_way(
    deps: Deps, github: FakeGitHub, failing_log: bytes
) -> None:
    s = Scenario(github)
    good = s.repo.commit("main", "add total()")
    assert await s.passes(deps, s.ref(next(_runs), good, branch="main", pr=False)) == "nothing to resolve"
    bad = s.repo.commit("main", "off by one")
    main_run = next(_runs)
    # The default branch breaks: the first bad commit is this one ("caused by this commit").
    assert await s.fails(deps, s.ref(main_run, bad, branch="main", pr=False), {"test (3.11)": failing_log}) == "failure"
    main_check = s.check(bad)
    assert main_check["output"]["title"] == "1 failure caused by this commit"
    assert f"Broken on `main` since `{bad[:7]}` ([CI #{main_run % 10_000}]" in main_check["output"]["summary"]

    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "unrelated change")
    pr_run = next(_runs)
    conclusion = await s.fails(deps, s.ref(pr_run, head, branch="feature", pr=True), {"test (3.11)": failing_log})
    assert conclusion == "neutral"
    check = s.check(head)
    assert check["conclusion"] == "neutral"
    assert check["output"]["title"] == "No failures caused by this pull request"
    summary = check["output"]["summary"]
    assert summary.startswith(
        "Caused by this pull request: 0 · failing on `main` too: 1 · flaky: 0 · infrastructure: 0"
    )
    assert f"Fails the same way on main (CI #{main_run % 10_000} at {bad[:7]}), since {bad[:7]}." in summary
    body = s.comment()
    assert "### 🧱 `pre-existing`: failing on `main` too (1)" in body
    assert f"(https://github.com/{OWNER}/{REPO}/actions/runs/{main_run})" in body  # the base-branch run, linked
    assert "`new`" not in body.split("### 🧱", 1)[1]  # no failure of the PR's own
    # History knew the base branch: GitHub was asked for the merge base only.
    assert len(s.github_calls(COMPARE)) == 1 and not s.github_calls(RUNS_OF_WORKFLOW)
    assert await verdicts_of(deps, s.installation, pr_run) == [
        ("tests/test_app.py::test_total_of_two_prices", "pre-existing")
    ]


async def test_a_prs_own_fault_is_new_and_fails_the_check(deps: Deps, github: FakeGitHub, failing_log: bytes) -> None:
    s = Scenario(github)
    base = s.repo.commit("main", "add total()")
    await s.passes(deps, s.ref(next(_runs), base, branch="main", pr=False))
    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "off by one")
    pr_run = next(_runs)
    logs = {"test (3.11)": failing_log}
    assert await s.fails(deps, s.ref(pr_run, head, branch="feature", pr=True), logs) == "failure"
    check = s.check(head)
    assert check["conclusion"] == "failure"
    assert check["output"]["title"] == "1 failure caused by this pull request"
    assert check["output"]["summary"].startswith(
        "Caused by this pull request: 1 · failing on `main` too: 0 · flaky: 0 · infrastructure: 0"
    )
    assert "### 🆕 `new`: caused by this pull request (1)" in s.comment()
    assert not s.github_calls(RUNS_OF_WORKFLOW)  # history had a green base-branch run at the merge base
    assert await verdicts_of(deps, s.installation, pr_run) == [("tests/test_app.py::test_total_of_two_prices", "new")]


@pytest.mark.parametrize("base_run_at", ["merge base", "before the merge base"])
async def test_without_base_branch_history_github_is_asked(
    deps: Deps, github: FakeGitHub, failing_log: bytes, base_run_at: str
) -> None:
    s = Scenario(github)
    old = s.repo.commit("main", "add total()")
    merge_base = s.repo.commit("main", "off by one")
    base_run_id = next(_runs)
    # GitHub knows a failing run of this workflow on main that history never saw (the app was installed later).
    s.repo.run(base_run_id, branch="main", sha=merge_base if base_run_at == "merge base" else old)
    s.serve_jobs(base_run_id, {"lint": None, "test (3.11)": failing_log})
    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "unrelated change")
    pr_run = next(_runs)
    conclusion = await s.fails(deps, s.ref(pr_run, head, branch="feature", pr=True), {"test (3.11)": failing_log})

    listed = s.github_calls(RUNS_OF_WORKFLOW)
    assert len(listed) == 1 and listed[0].query["branch"] == "main" and listed[0].query["status"] == "completed"
    assert len(s.github_calls(COMPARE)) == 1
    if base_run_at == "merge base":
        assert conclusion == "neutral"
        assert s.check(head)["output"]["title"] == "No failures caused by this pull request"
        # The base run's failed job was fetched, analysed and recorded like any run.
        assert s.github_calls(f"/repos/{OWNER}/{REPO}/actions/runs/{base_run_id}/jobs")
        assert await verdicts_of(deps, s.installation, pr_run) == [
            ("tests/test_app.py::test_total_of_two_prices", "pre-existing")
        ]
        async with deps.pool.acquire() as conn:
            recorded = await attribution_db.get_run(conn, s.installation, base_run_id)
        assert recorded is not None and recorded.analysed and recorded.head_branch == "main"
    else:
        # A failure on main before the merge base says nothing about this PR's base.
        assert conclusion == "failure"
        assert not s.github_calls(f"/repos/{OWNER}/{REPO}/actions/runs/{base_run_id}/jobs")


async def test_a_failure_that_failed_and_passed_on_one_commit_is_flaky(
    deps: Deps, github: FakeGitHub, failing_log: bytes
) -> None:
    s = Scenario(github)
    base = s.repo.commit("main", "add total()")
    await s.passes(deps, s.ref(next(_runs), base, branch="main", pr=False))
    s.repo.branch("feature", "main")
    first = s.repo.commit("feature", "change")
    run_id = next(_runs)
    await s.fails(deps, s.ref(run_id, first, branch="feature", pr=True), {"test (3.11)": failing_log})
    await s.passes(deps, s.ref(run_id, first, branch="feature", pr=True, attempt=2))  # the re-run passed
    second = s.repo.commit("feature", "another change")
    later = next(_runs)
    logs = {"test (3.11)": failing_log}
    assert await s.fails(deps, s.ref(later, second, branch="feature", pr=True), logs) == "neutral"
    check = s.check(second)
    assert check["output"]["summary"].startswith(
        "Caused by this pull request: 0 · failing on `main` too: 0 · flaky: 1 · infrastructure: 0"
    )
    assert f"Failed and passed on the same commit {first[:7]}: CI #{run_id % 10_000} (attempt 2) passed." in (
        check["output"]["summary"]
    )
    assert await verdicts_of(deps, s.installation, later) == [("tests/test_app.py::test_total_of_two_prices", "flaky")]


async def test_runner_trouble_is_infra(deps: Deps, github: FakeGitHub) -> None:
    s = Scenario(github)
    base = s.repo.commit("main", "add total()")
    await s.passes(deps, s.ref(next(_runs), base, branch="main", pr=False))
    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "change")
    run_id = next(_runs)
    logs = {"test (3.11)": job_log(RUNNER_LOST)}
    conclusion = await s.fails(deps, s.ref(run_id, head, branch="feature", pr=True), logs)
    assert conclusion == "neutral"
    check = s.check(head)
    assert check["output"]["summary"].startswith(
        "Caused by this pull request: 0 · failing on `main` too: 0 · flaky: 0 · infrastructure: 1"
    )
    summary = check["output"]["summary"]
    assert "Runner, network or service trouble: The runner has received a shutdown signal." in summary
    assert "### 🛠️ `infra`: runner, network or service trouble (1)" in s.comment()


async def test_a_generic_error_is_never_flaky(deps: Deps, github: FakeGitHub) -> None:
    s = Scenario(github)
    base = s.repo.commit("main", "init")
    await s.passes(deps, s.ref(next(_runs), base, branch="main", pr=False))
    s.repo.branch("feature", "main")
    first = s.repo.commit("feature", "change")
    run_id = next(_runs)
    log = job_log(MAKE_ONLY)
    assert await s.fails(deps, s.ref(run_id, first, branch="feature", pr=True), {"build": log}) == "failure"
    # The re-run passes: a failure known only by its exit status cannot be told flaky from fixed by chance.
    await s.passes(deps, s.ref(run_id, first, branch="feature", pr=True, attempt=2))
    assert s.check(first)["conclusion"] == "failure"
    second = s.repo.commit("feature", "another change")
    later = next(_runs)
    assert await s.fails(deps, s.ref(later, second, branch="feature", pr=True), {"build": log}) == "failure"
    assert [v for _, v in await verdicts_of(deps, s.installation, later)] == ["new"]


async def test_a_matrix_of_three_jobs_is_reported_once(deps: Deps, github: FakeGitHub, failing_log: bytes) -> None:
    s = Scenario(github)
    base = s.repo.commit("main", "init")
    await s.passes(deps, s.ref(next(_runs), base, branch="main", pr=False))
    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "change")
    jobs = {f"test (3.{minor})": failing_log for minor in (10, 11, 12)}
    assert await s.fails(deps, s.ref(next(_runs), head, branch="feature", pr=True), jobs) == "failure"
    check = s.check(head)
    summary = check["output"]["summary"]
    assert summary.startswith("Caused by this pull request: 1 · ")
    assert summary.count("test_total_of_two_prices") == 1
    assert "3 jobs: test (3.10), test (3.11), test (3.12)" in summary
    body = s.comment()
    failures = body.split("### 🧪", 1)[0]  # the recommended tests may name it again
    assert failures.count("`tests/test_app.py::test_total_of_two_prices`") == 1
    assert "in 3 jobs: test (3.10), test (3.11), test (3.12)" in body


async def test_a_broken_default_branch_since_its_first_bad_commit_until_a_green_run(
    deps: Deps, github: FakeGitHub, failing_log: bytes
) -> None:
    s = Scenario(github)
    good = s.repo.commit("main", "init")
    await s.passes(deps, s.ref(next(_runs), good, branch="main", pr=False))
    first_bad = s.repo.commit("main", "off by one")
    first_run = next(_runs)
    await s.fails(deps, s.ref(first_run, first_bad, branch="main", pr=False), {"test (3.11)": failing_log})
    still_bad = s.repo.commit("main", "docs")
    logs = {"test (3.11)": failing_log}
    # not this commit's fault: broken before it
    assert await s.fails(deps, s.ref(next(_runs), still_bad, branch="main", pr=False), logs) == "neutral"
    check = s.check(still_bad)
    assert check["output"]["title"] == "No failures caused by this commit"
    assert f"Broken on `main` since `{first_bad[:7]}` ([CI #{first_run % 10_000}]" in check["output"]["summary"]
    async with deps.pool.acquire() as conn:
        broken = await attribution_db.broken_default_branches(conn, [s.installation], None)
    assert [(b.since.head_sha, b.failing_runs) for b in broken] == [(first_bad, 2)]
    fixed = s.repo.commit("main", "fix")
    await s.passes(deps, s.ref(next(_runs), fixed, branch="main", pr=False))
    async with deps.pool.acquire() as conn:
        assert await attribution_db.broken_default_branches(conn, [s.installation], None) == []


async def test_a_re_run_of_failed_jobs_updates_the_same_report(
    deps: Deps, github: FakeGitHub, failing_log: bytes
) -> None:
    s = Scenario(github)
    base = s.repo.commit("main", "init")
    await s.passes(deps, s.ref(next(_runs), base, branch="main", pr=False))
    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "change")
    run_id = next(_runs)
    first = {"test (3.11)": failing_log, "types": job_log(MYPY)}
    assert await s.fails(deps, s.ref(run_id, head, branch="feature", pr=True), first) == "failure"
    # "Re-run failed jobs": the tests pass this time, the type error stays.
    again = {"test (3.11)": None, "types": job_log(MYPY)}
    assert await s.fails(deps, s.ref(run_id, head, branch="feature", pr=True, attempt=2), again) == "failure"
    checks = github.check_runs_for(OWNER, REPO, head)
    newest = max(checks, key=lambda c: c["id"])
    summary = newest["output"]["summary"]
    assert summary.startswith(
        "Caused by this pull request: 1 · failing on `main` too: 0 · flaky: 1 · infrastructure: 0"
    )
    assert "Failed on attempt 1, passed on attempt 2 of the same commit." in summary
    body = s.comment()  # the one sticky comment, edited
    assert "attempt 2" in body and "### 🎲 `flaky`: failed and passed on the same code (1)" in body
    assert sorted(v for _, v in await verdicts_of(deps, s.installation, run_id)) == ["flaky", "new", "new"]


async def test_the_merge_base_commit_itself_counts_whatever_its_timestamps(
    deps: Deps, github: FakeGitHub, failing_log: bytes
) -> None:
    s = Scenario(github)
    bad = s.repo.commit("main", "off by one")
    main_run = next(_runs)
    # The push event's head_commit.timestamp can be far older than the commit date compare reports (a rebase,
    # an amended commit): the run of the merge-base commit itself still counts.
    old = replace(s.ref(main_run, bad, branch="main", pr=False), head_commit_at="2020-01-01T00:00:00Z")
    await s.fails(deps, old, {"test (3.11)": failing_log})
    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "unrelated change")
    pr_run = next(_runs)
    assert await s.fails(deps, s.ref(pr_run, head, branch="feature", pr=True), {"test (3.11)": failing_log}) == (
        "neutral"
    )
    assert not s.github_calls(RUNS_OF_WORKFLOW)
    assert [v for _, v in await verdicts_of(deps, s.installation, pr_run)] == ["pre-existing"]


async def test_runs_expire_with_the_failures(deps: Deps, github: FakeGitHub) -> None:
    s = Scenario(github)
    old, recent = s.repo.commit("main", "old"), s.repo.commit("main", "recent")
    await s.passes(deps, s.ref(next(_runs), old, branch="main", pr=False))
    kept = next(_runs)
    await s.passes(deps, s.ref(kept, recent, branch="main", pr=False))
    async with deps.pool.acquire() as conn:
        await conn.execute(
            "UPDATE workflow_runs SET completed_at = now() - interval '100 days'"
            " WHERE installation_id = $1 AND head_sha = $2",
            s.installation,
            old,
        )
    totals = await purge_history(deps)
    assert totals["workflow_runs"] >= 1
    async with deps.pool.acquire() as conn:
        left = await conn.fetch("SELECT run_id FROM workflow_runs WHERE installation_id = $1", s.installation)
    assert [r["run_id"] for r in left] == [kept]


async def test_conclusion_strict_fails_the_check_run_for_any_failure(
    deps: Deps, github: FakeGitHub, failing_log: bytes
) -> None:
    s = Scenario(github)
    text = "conclusion: strict\n"
    github.on(
        "GET",
        f"/repos/{OWNER}/{REPO}/contents/.github/ci-triage.yml",
        json={
            "type": "file",
            "encoding": "base64",
            "size": len(text),
            "name": "ci-triage.yml",
            "path": ".github/ci-triage.yml",
            "sha": "5" * 40,
            "content": base64.b64encode(text.encode()).decode(),
        },
    )
    bad = s.repo.commit("main", "off by one")
    await s.fails(deps, s.ref(next(_runs), bad, branch="main", pr=False), {"test (3.11)": failing_log})
    s.repo.branch("feature", "main")
    head = s.repo.commit("feature", "unrelated change")
    logs = {"test (3.11)": failing_log}
    assert await s.fails(deps, s.ref(next(_runs), head, branch="feature", pr=True), logs) == "failure"
    check = s.check(head)
    assert check["conclusion"] == "failure"
    assert check["output"]["title"] == "No failures caused by this pull request"  # still says whose it is
