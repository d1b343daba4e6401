"""gidgethub's httpx client end to end against the fake: getitem, getiter across pages, post, errors."""

from __future__ import annotations

import gidgethub
import httpx
import pytest
from gidgethub.httpx import GitHubAPI

from tests.support.fake_github import FakeGitHub

REPO = "/repos/octo/demo"


async def test_getitem_getiter_post(github: FakeGitHub) -> None:
    github.on("GET", f"{REPO}/actions/runs/5", json={"id": 5, "conclusion": "failure"})
    github.paginate(f"{REPO}/actions/runs/5/jobs", [{"id": n} for n in range(250)])
    async with httpx.AsyncClient() as client:
        gh = GitHubAPI(client, "ci-triage", oauth_token="ghs_x", base_url=github.url)
        run = await gh.getitem(f"{REPO}/actions/runs/{{run_id}}", {"run_id": 5})
        jobs = [job async for job in gh.getiter(f"{REPO}/actions/runs/5/jobs?per_page=100",
                                               iterable_key="jobs")]
        created = await gh.post(f"{REPO}/check-runs", data={"name": "ci-triage", "head_sha": "c" * 40})
    assert run["conclusion"] == "failure"
    assert [job["id"] for job in jobs] == list(range(250))
    assert len(github.calls_to("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs")) == 3
    assert created["status"] == "queued" and github.check_runs_for("octo", "demo", "c" * 40)


async def test_errors_reach_gidgethub_as_its_exceptions(github: FakeGitHub) -> None:
    github.fail_next("GET", f"{REPO}/issues/1/comments", status=503)
    async with httpx.AsyncClient() as client:
        gh = GitHubAPI(client, "ci-triage", oauth_token="ghs_x", base_url=github.url)
        with pytest.raises(gidgethub.GitHubBroken):
            await gh.getitem(f"{REPO}/issues/1/comments")
        with pytest.raises(gidgethub.BadRequest) as bad:
            await gh.post(f"{REPO}/check-runs",
                          data={"name": "ci-triage", "head_sha": "c", "conclusion": "meh"})
    assert bad.value.status_code == 422
    assert "is not one of" in github.take_violations()[0]


async def test_app_jwt_and_installation_token(github: FakeGitHub, private_key_pem: str) -> None:
    from gidgethub.apps import get_installation_access_token

    github.verify_app_jwt(private_key_pem, app_id=4242)  # the private key works too: its public half is used
    async with httpx.AsyncClient() as client:
        gh = GitHubAPI(client, "ci-triage", base_url=github.url)
        token = await get_installation_access_token(gh, installation_id=77, app_id="4242",
                                                    private_key=private_key_pem)
    assert github.tokens[token["token"]][0] == 77
