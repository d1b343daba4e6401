"""The fake's repository model answers compare and a workflow's run list as GitHub documents them: merge base,
status, pagination, filters, 404s; and the response check itself catches an answer GitHub would never send."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.fake_github import FakeGitHub
from tests.support.github_repo import COMPARE, WORKFLOW_RUNS, RepoModel
from tests.support.openapi_responses import response_errors

TOKEN = {"Authorization": "token ghs_testtoken"}


@pytest.fixture
async def http(github: FakeGitHub) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=github.url, headers=TOKEN) as client:
        yield client


async def test_compare_gives_the_merge_base_and_how_far_apart(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    repo = RepoModel(github, "octo", "demo", repository_id=1)
    root = repo.commit("main", "root")
    fork_point = repo.commit("main", "fork point")
    repo.branch("feature", "main")
    ahead = [repo.commit("feature", f"feature {i}") for i in range(3)]
    repo.commit("main", "later on main")
    answer = (await http.get(f"/repos/octo/demo/compare/main...{ahead[-1]}", params={"per_page": 2})).json()
    assert answer["merge_base_commit"]["sha"] == fork_point and answer["status"] == "diverged"
    assert (answer["ahead_by"], answer["behind_by"], answer["total_commits"]) == (3, 1, 3)
    assert [c["sha"] for c in answer["commits"]] == ahead[:2]  # oldest first, one page
    assert answer["merge_base_commit"]["commit"]["committer"]["date"] == repo.timestamp(fork_point)
    behind = (await http.get(f"/repos/octo/demo/compare/main...{root}")).json()
    assert behind["status"] == "behind" and behind["merge_base_commit"]["sha"] == root
    assert (await http.get("/repos/octo/demo/compare/main...0123456789abcdef")).status_code == 404
    assert github.take_violations() == []


async def test_a_workflows_runs_newest_first_filtered_and_paginated(
    github: FakeGitHub, http: httpx.AsyncClient
) -> None:
    repo = RepoModel(github, "octo", "demo", repository_id=1, workflow_id=77)
    shas = [repo.commit("main", f"c{i}") for i in range(5)]
    for i, sha in enumerate(shas):
        repo.run(100 + i, branch="main", sha=sha, conclusion="failure" if i % 2 else "success")
    repo.branch("feature", "main")
    repo.run(200, branch="feature", sha=repo.commit("feature", "f"), event="pull_request")
    first = await http.get("/repos/octo/demo/actions/workflows/77/runs",
                           params={"branch": "main", "status": "completed", "per_page": 2})
    body = first.json()
    assert body["total_count"] == 5 and [r["id"] for r in body["workflow_runs"]] == [104, 103]
    assert 'rel="next"' in first.headers["link"]
    failed = (await http.get("/repos/octo/demo/actions/workflows/77/runs", params={"status": "failure"})).json()
    assert [r["id"] for r in failed["workflow_runs"]] == [200, 103, 101]  # a conclusion as the status filter
    prs = (await http.get("/repos/octo/demo/actions/workflows/77/runs", params={"event": "pull_request"})).json()
    assert [r["head_branch"] for r in prs["workflow_runs"]] == ["feature"]
    assert (await http.get("/repos/octo/demo/actions/workflows/78/runs")).status_code == 404
    assert github.take_violations() == []


def test_the_response_check_catches_what_github_never_sends() -> None:
    assert response_errors("GET", WORKFLOW_RUNS, {"total_count": 0, "workflow_runs": []}) == []
    assert response_errors("GET", WORKFLOW_RUNS, {"workflow_runs": [{"id": 1}]})  # total_count, run fields
    problems = response_errors("GET", COMPARE, {"status": "ahead", "merge_base_commit": {"sha": "a"}})
    assert any("required" in p for p in problems)
