"""The triage job against the fake GitHub, real PostgreSQL and the real history service (no web, no queue):
expired and missing logs, the run-logs zip fallback, JUnit artifacts, repository config, attempts, a job's
early report, flaky evidence and notifications."""

from __future__ import annotations

import base64
import io
import zipfile
from itertools import count
from typing import Any

import pytest

from githubapp.deps import Deps
from githubapp.pipeline.jobs import record_passing_run, triage_job, triage_run
from githubapp.pipeline.triggers import RunRef
from tests.support.fake_github import Call, FakeGitHub, Reply
from tests.support.receivers import http_receiver

from .gha import job_log, pytest_failure_output
from .test_end_to_end import OWNER, PR, REPO, serve_repository, serve_run

_installations = count(990_000)
_runs = count(50_000)


@pytest.fixture
def log(tmp_path) -> bytes:  # type: ignore[no-untyped-def]
    return job_log(pytest_failure_output(str(tmp_path / "project")))


def ref(**changes: Any) -> RunRef:
    values: dict[str, Any] = dict(
        installation_id=next(_installations),
        repository_id=300029405,
        repo=f"{OWNER}/{REPO}",
        default_branch="main",
        run_id=next(_runs),
        attempt=1,
        head_sha=f"{next(_runs):040x}",
        workflow_id=2823525,
        workflow_name="CI",
        head_branch="feature",
        run_number=7,
        pr_numbers=(PR,),
    )
    values.update(changes)
    return RunRef(**values)


def ctx(deps: Deps) -> dict[str, Any]:
    return {"deps": deps, "job_try": 1}


def check_of(github: FakeGitHub, r: RunRef) -> dict[str, Any]:
    runs = github.check_runs_for(OWNER, REPO, r.head_sha)
    assert len(runs) == 1, runs
    return runs[0]


async def test_expired_logs_are_reported_not_retried(deps: Deps, github: FakeGitHub) -> None:
    serve_repository(github)
    r = ref()
    job_id = serve_run(github, r.run_id, b"unused")
    github.on("GET", f"/repos/{OWNER}/{REPO}/actions/jobs/{job_id}/logs", json={"message": "Gone"}, status=410)
    assert await triage_run(ctx(deps), r.as_job_arg()) == "neutral"
    check = check_of(github, r)
    assert check["conclusion"] == "neutral" and check["output"]["title"] == "Failure could not be analysed"
    assert "The logs of job test (3.11) have expired." in check["output"]["summary"]
    assert len(github.calls_to("GET", f"/repos/{OWNER}/{REPO}/actions/jobs/{job_id}/logs")) == 1
    assert "have expired" in github.issue_comments(OWNER, REPO, PR)[0]["body"]
    github.take_violations()  # none expected, but the 410 is our own canned answer


async def test_an_expired_link_is_asked_for_again(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    serve_repository(github)
    r = ref()
    job_id = serve_run(github, r.run_id, None)
    answers = iter([0.0, 60.0])  # the first link has expired by the time it is followed

    def redirect(request: Call, params: dict[str, str]) -> Reply:
        return Reply(302, body=b"", headers={"Location": github.blob(log, ttl=next(answers))})

    github.on("GET", f"/repos/{OWNER}/{REPO}/actions/jobs/{job_id}/logs", redirect)
    serve_failed_job(github, r, job_id)
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
    assert len(github.calls_to("GET", f"/repos/{OWNER}/{REPO}/actions/jobs/{job_id}/logs")) == 2


def serve_failed_job(github: FakeGitHub, r: RunRef, job_id: int, name: str = "test (3.11)") -> None:
    github.paginate(
        f"/repos/{OWNER}/{REPO}/actions/runs/{r.run_id}/jobs",
        [
            {
                "id": job_id,
                "run_id": r.run_id,
                "run_attempt": r.attempt,
                "name": name,
                "status": "completed",
                "conclusion": "failure",
                "html_url": None,
                "steps": [],
            }
        ],
    )


async def test_run_logs_zip_when_job_logs_cannot_be_had(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    serve_repository(github)
    r = ref()
    job_id = serve_run(
        github,
        r.run_id,
        log,
    )
    github.job_logs(OWNER, REPO, job_id=job_id, text=log, ttl=0.0)  # every link is already expired
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("0_lint.txt", "ok\n")
        z.writestr("1_test (3.11).txt", log)
    github.run_logs(OWNER, REPO, r.run_id, archive.getvalue(), attempt=1)
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
    check = check_of(github, r)
    assert "tests/test_app.py::test_total_of_two_prices" in check["output"]["summary"]


async def test_junit_artifacts_add_failures_the_log_does_not_show(deps: Deps, github: FakeGitHub) -> None:
    serve_repository(github)
    r = ref()
    plain = job_log(("make: *** [Makefile:12: test] Error 1",))
    job_id = serve_run(github, r.run_id, plain)
    github.paginate(
        f"/repos/{OWNER}/{REPO}/actions/runs/{r.run_id}/artifacts",
        [
            {"id": 77, "name": "junit-results", "expired": False, "size_in_bytes": 500},
            {"id": 78, "name": "coverage", "expired": False, "size_in_bytes": 500},
        ],
    )
    xml = (
        b'<?xml version="1.0"?><testsuite name="s" tests="2" failures="1">'
        b'<testcase classname="tests.test_cart" name="test_checkout" file="tests/test_cart.py" line="31">'
        b'<failure message="expected 3, got 2">AssertionError</failure></testcase>'
        b'<testcase classname="tests.test_cart" name="test_ok"/></testsuite>'
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("report.xml", xml)
    github.redirect(
        f"/repos/{OWNER}/{REPO}/actions/artifacts/77/zip", archive.getvalue(), content_type="application/zip"
    )
    await triage_run(ctx(deps), r.as_job_arg())
    summary = check_of(github, r)["output"]["summary"]
    assert "test_checkout" in summary, summary
    assert not github.calls_to("GET", f"/repos/{OWNER}/{REPO}/actions/artifacts/78/zip")
    assert job_id


async def test_repository_config_from_the_default_branch(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    serve_repository(github)
    text = "conclusion: {new: neutral}\ncomments: {enabled: false}\nthresholds: {similarity: 3}\n"
    github.on(
        "GET",
        f"/repos/{OWNER}/{REPO}/contents/.github/ci-triage.yml",
        json={
            "type": "file",
            "encoding": "base64",
            "size": len(text),
            "name": "ci-triage.yml",
            "path": ".github/ci-triage.yml",
            "sha": "c0ffee" * 6 + "abcd",
            "content": base64.b64encode(text.encode()).decode(),
        },
    )
    r = ref()
    serve_run(github, r.run_id, log)
    assert await triage_run(ctx(deps), r.as_job_arg()) == "neutral"
    check = check_of(github, r)
    assert "thresholds.similarity: must be from 0 to 1, got 3" in check["output"]["summary"]
    assert github.issue_comments(OWNER, REPO, PR) == []  # comments: {enabled: false}
    contents = github.calls_to("GET", f"/repos/{OWNER}/{REPO}/contents/.github/ci-triage.yml")
    assert contents[0].query.get("ref") in ("main", ["main"])


async def test_a_new_attempt_gets_its_own_check_run_and_an_old_one_cannot_overwrite_it(
    deps: Deps, github: FakeGitHub, log: bytes
) -> None:
    serve_repository(github)
    first = ref()
    second = ref(installation_id=first.installation_id, run_id=first.run_id, head_sha=first.head_sha, attempt=2)
    serve_run(github, first.run_id, log, attempt=2)
    github.job_logs(OWNER, REPO, job_id=first.run_id * 10 + 1, text=log)
    github.paginate(
        f"/repos/{OWNER}/{REPO}/actions/runs/{first.run_id}/attempts/1/jobs",
        [
            {
                "id": first.run_id * 10 + 1,
                "run_id": first.run_id,
                "run_attempt": 1,
                "name": "test (3.11)",
                "status": "completed",
                "conclusion": "failure",
                "html_url": None,
                "steps": [],
            }
        ],
    )
    assert await triage_run(ctx(deps), second.as_job_arg()) == "failure"
    assert await triage_run(ctx(deps), first.as_job_arg()) == "superseded"  # attempt 1 arrives late
    runs = github.check_runs_for(OWNER, REPO, first.head_sha)
    assert len(runs) == 1 and runs[0]["external_id"] == f"{first.run_id}:2"
    body = github.issue_comments(OWNER, REPO, PR)[0]["body"]
    assert "attempt=2" in body


async def test_a_failed_job_is_reported_while_the_run_goes_on(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    serve_repository(github)
    r = ref(pr_numbers=())
    job_id = serve_run(github, r.run_id, log)
    github.on(
        "GET",
        f"/repos/{OWNER}/{REPO}/actions/runs/{r.run_id}",
        json={
            "id": r.run_id,
            "name": "CI",
            "workflow_id": r.workflow_id,
            "run_number": 7,
            "event": "pull_request",
            "html_url": f"https://github.com/{OWNER}/{REPO}/actions/runs/{r.run_id}",
            "status": "in_progress",
            "pull_requests": [{"number": PR, "base": {"repo": {"id": r.repository_id}}}],
        },
    )
    assert await triage_job(ctx(deps), r.as_job_arg(), job_id) == "failure"
    early = check_of(github, r)
    assert early["status"] == "in_progress" and "still in progress" in early["output"]["title"]
    assert "other jobs still running" in github.issue_comments(OWNER, REPO, PR)[0]["body"]
    full = RunRef.from_job_arg({**r.as_job_arg(), "pr_numbers": [PR]})
    assert await triage_run(ctx(deps), full.as_job_arg()) == "failure"
    done = check_of(github, r)
    assert done["id"] == early["id"] and done["status"] == "completed"
    assert len(github.annotations[done["id"]]) == 1
    assert len(github.issue_comments(OWNER, REPO, PR)) == 1
    # The job's own delivery arriving after the whole run was triaged changes nothing.
    assert await triage_job(ctx(deps), r.as_job_arg(), job_id) == "superseded"


async def test_a_pass_on_a_re_run_is_flaky_evidence(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    serve_repository(github)
    r = ref()
    serve_run(github, r.run_id, log)
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"  # the PR's own fault: new
    passed = RunRef.from_job_arg({**r.as_job_arg(), "attempt": 2, "conclusion": "success"})
    assert await record_passing_run(ctx(deps), passed.as_job_arg()) == "flaky evidence"
    # The same report (the failed attempt's check run, the one sticky comment) now calls it flaky.
    check = check_of(github, r)
    assert check["conclusion"] == "neutral"
    assert check["output"]["title"] == "No failures caused by this pull request: attempt 2 passed"
    assert check["output"]["summary"].startswith(
        "Caused by this pull request: 0 · failing on `main` too: 0 · flaky: 1 · infrastructure: 0"
    )
    assert "Failed on attempt 1, passed on attempt 2 of the same commit." in check["output"]["summary"]
    body = github.issue_comments(OWNER, REPO, PR)[0]["body"]
    assert "passing now" in body and "`flaky` `tests/test_app.py::test_total_of_two_prices`" in body
    async with deps.pool.acquire() as conn:
        outcomes = await conn.fetch(
            "SELECT outcome, run_attempt FROM test_outcomes WHERE installation_id = $1 ORDER BY run_attempt",
            r.installation_id,
        )
    assert [(o["outcome"], o["run_attempt"]) for o in outcomes] == [("failed", 1), ("passed", 2)]


async def test_notifications_follow_the_config_and_never_fail_triage(
    deps: Deps, github: FakeGitHub, log: bytes
) -> None:
    serve_repository(github)
    text = "notifications: {slack: true}\n"
    github.on(
        "GET",
        f"/repos/{OWNER}/{REPO}/contents/.github/ci-triage.yml",
        json={
            "type": "file",
            "encoding": "base64",
            "size": len(text),
            "name": "ci-triage.yml",
            "path": ".github/ci-triage.yml",
            "sha": "d" * 40,
            "content": base64.b64encode(text.encode()).decode(),
        },
    )
    async with http_receiver() as slack:
        from dataclasses import replace

        deps.settings = replace(deps.settings, slack_webhook_url=slack.url)
        r = ref()
        serve_run(github, r.run_id, log)
        assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
        assert "1 new" in slack.requests[0]["json"]["text"]
        slack.status = 500
        r2 = ref()
        serve_run(github, r2.run_id, job_log(("error: something else entirely broke",)))
        assert await triage_run(ctx(deps), r2.as_job_arg()) in ("failure", "neutral")
        assert len(slack.requests) == 2  # tried, refused with 500, and triage still completed


async def test_a_pr_from_a_fork_is_found_by_its_commit(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    serve_repository(github)
    r = ref(pr_numbers=(), event="pull_request")  # GitHub leaves pull_requests empty for forks
    serve_run(github, r.run_id, log)
    github.paginate(
        f"/repos/{OWNER}/{REPO}/commits/{r.head_sha}/pulls",
        [
            {"number": PR, "state": "open", "head": {"sha": r.head_sha}, "base": {"repo": {"id": r.repository_id}}},
            {"number": 1, "state": "closed", "head": {"sha": r.head_sha}, "base": {"repo": {"id": r.repository_id}}},
        ],
    )
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
    assert len(github.issue_comments(OWNER, REPO, PR)) == 1
    assert github.issue_comments(OWNER, REPO, 1) == []


@pytest.mark.slow
async def test_a_preview_snapshot_is_part_of_the_report(
    deps: Deps,
    github: FakeGitHub,
    log: bytes,
    browser,  # type: ignore[no-untyped-def]
    tmp_path,
) -> None:
    from githubapp.snapshots.service import SnapshotService
    from storage.artifacts import FilesystemStore, LinkSigner
    from tests.support.preview_site import serve_site

    async def provide():  # type: ignore[no-untyped-def]
        return browser

    store = FilesystemStore(tmp_path / "artifacts", LinkSigner(b"k" * 32), "http://testserver/artifacts")
    deps.services.snapshots = SnapshotService(
        pool=deps.pool, store=store, browser=provide, allow_hosts=("127.0.0.1",)
    )
    serve_repository(github)
    with serve_site(version=1) as site:
        text = (
            f"snapshot:\n  preview_url: '{site.url}'\n  viewport: {{width: 400, height: 300}}\n"
            "  wait_for_selector: \"#app:has-text('ready')\"\n"
        )
        github.on(
            "GET",
            f"/repos/{OWNER}/{REPO}/contents/.github/ci-triage.yml",
            json={
                "type": "file",
                "encoding": "base64",
                "size": len(text),
                "name": "ci-triage.yml",
                "path": ".github/ci-triage.yml",
                "sha": "e" * 40,
                "content": base64.b64encode(text.encode()).decode(),
            },
        )
        r = ref()
        serve_run(github, r.run_id, log)
        assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
    check = check_of(github, r)
    assert "## Preview snapshot" in check["output"]["text"]
    patches = github.calls_to("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}")
    images = [i for p in patches for i in (p.json.get("output") or {}).get("images", [])]
    assert images and images[0]["image_url"].startswith("http://testserver/artifacts")
    assert "### Preview snapshot" in github.issue_comments(OWNER, REPO, PR)[0]["body"]


async def test_a_permanent_refusal_completes_the_check_run_saying_why(deps: Deps, github: FakeGitHub) -> None:
    serve_repository(github)
    r = ref()
    github.on(
        "GET",
        f"/repos/{OWNER}/{REPO}/actions/runs/{r.run_id}/jobs",
        json={"message": "Resource not accessible by integration"},
        status=403,
    )
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failed"
    check = check_of(github, r)
    assert check["status"] == "completed" and check["conclusion"] == "neutral"
    assert "HTTP 403" in check["output"]["summary"] and "actions: read" in check["output"]["summary"]
    github.take_violations()


async def test_two_attempts_racing_end_with_the_newest_state(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    import asyncio

    serve_repository(github)
    first = ref()
    second = ref(installation_id=first.installation_id, run_id=first.run_id, head_sha=first.head_sha, attempt=2)
    github.paginate(
        f"/repos/{OWNER}/{REPO}/actions/runs/{first.run_id}/jobs",
        [
            {
                "id": 71,
                "run_id": first.run_id,
                "run_attempt": 1,
                "name": "test (3.11)",
                "status": "completed",
                "conclusion": "failure",
                "html_url": None,
                "steps": [],
            },
            {
                "id": 72,
                "run_id": first.run_id,
                "run_attempt": 2,
                "name": "test (3.11)",
                "status": "completed",
                "conclusion": "failure",
                "html_url": None,
                "steps": [],
            },
        ],
    )
    github.paginate(
        f"/repos/{OWNER}/{REPO}/actions/runs/{first.run_id}/attempts/1/jobs",
        [
            {
                "id": 71,
                "run_id": first.run_id,
                "run_attempt": 1,
                "name": "test (3.11)",
                "status": "completed",
                "conclusion": "failure",
                "html_url": None,
                "steps": [],
            }
        ],
    )
    github.paginate(f"/repos/{OWNER}/{REPO}/actions/runs/{first.run_id}/artifacts", [])
    github.job_logs(OWNER, REPO, job_id=71, text=log)
    github.job_logs(OWNER, REPO, job_id=72, text=log)
    for _ in range(3):  # whichever finishes first, the newest attempt's state wins
        await asyncio.gather(triage_run(ctx(deps), first.as_job_arg()), triage_run(ctx(deps), second.as_job_arg()))
        runs = github.check_runs_for(OWNER, REPO, first.head_sha)
        assert all(r["status"] == "completed" for r in runs)
        newest = [r for r in runs if r["external_id"] == f"{first.run_id}:2"]
        assert len(newest) == 1 and newest[0]["conclusion"] == "failure"
        assert [r["conclusion"] for r in runs if r["external_id"] != f"{first.run_id}:2"] in ([], ["skipped"])
        comments = github.issue_comments(OWNER, REPO, PR)
        assert len(comments) == 1 and "attempt=2" in comments[0]["body"]


async def test_annotations_name_only_files_of_the_commits_tree(deps: Deps, github: FakeGitHub, log: bytes) -> None:
    serve_repository(github)
    moved = ref()  # the tree has the test under python/: the log's relative path resolves to it
    github.tree(OWNER, REPO, moved.head_sha, ["python/src/app.py", "python/tests/test_app.py", "README.md"])
    serve_run(github, moved.run_id, log)
    assert await triage_run(ctx(deps), moved.as_job_arg()) == "failure"
    annotations = github.annotations[check_of(github, moved)["id"]]
    assert {(a["path"], a["start_line"]) for a in annotations} == {("python/tests/test_app.py", 6)}
    assert len(github.calls_to("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}")) == 1

    gone = ref()  # a tree without the file: no annotation rather than one on a path that does not exist
    github.tree(OWNER, REPO, gone.head_sha, ["README.md"])
    serve_run(github, gone.run_id, log)
    assert await triage_run(ctx(deps), gone.as_job_arg()) == "failure"
    assert github.annotations[check_of(github, gone)["id"]] == []
