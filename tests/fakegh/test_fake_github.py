"""The fake GitHub: strict validation against the OpenAPI description, canned replies, models, injections."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.fake_github import Call, FakeGitHub, Reply
from tests.support.openapi_responses import assert_valid_response

TOKEN = {"Authorization": "token ghs_testtoken"}
REPO = "/repos/octo/demo"


@pytest.fixture
async def http(github: FakeGitHub) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=github.url, headers=TOKEN) as client:
        yield client


def check_run(**changes: Any) -> dict[str, Any]:
    return {"name": "ci-triage", "head_sha": "a" * 40, **changes}


# -- rejections: each answered with a 4xx AND recorded

@pytest.mark.parametrize(("method", "path", "body", "status", "problem"), [
    # unknown path
    ("GET", "/repos/octo/demo/actions/runz/5", None, 404, "no such path"),
    # known path, method it does not allow
    ("DELETE", "/repos/octo/demo/check-runs", None, 404, "allows only POST"),
    # four actions: the schema allows at most three
    ("POST", "/repos/octo/demo/check-runs",
     check_run(actions=[{"label": "l", "description": "d", "identifier": "i"}] * 4), 422, "is too long"),
    # conclusion outside the enum
    ("POST", "/repos/octo/demo/check-runs", check_run(conclusion="broken"), 422, "is not one of"),
    # annotation without its required `path`
    ("PATCH", "/repos/octo/demo/check-runs/1", {"output": {"title": "t", "summary": "s", "annotations": [
        {"start_line": 1, "end_line": 1, "annotation_level": "failure", "message": "m"}]}},
     422, "'path' is a required property"),
    # required property missing
    ("POST", "/repos/octo/demo/check-runs", {"name": "x"}, 422, "'head_sha' is a required property"),
    # unknown query parameter
    ("GET", "/repos/octo/demo/actions/runs/5/jobs?per_pag=3", None, 422, "unknown query parameter 'per_pag'"),
    # query value outside its enum
    ("GET", "/repos/octo/demo/actions/runs/5/jobs?filter=some", None, 422, "filter='some'"),
    # integer path parameter that is not one
    ("GET", "/repos/octo/demo/actions/runs/None/jobs", None, 404, "run_id='None'"),
    # a body on an operation that takes none
    ("GET", "/repos/octo/demo/check-runs/1", {"x": 1}, 422, "takes no request body"),
])
async def test_rejects_requests_the_description_does_not_allow(
    github: FakeGitHub, http: httpx.AsyncClient, method: str, path: str, body: Any, status: int, problem: str,
) -> None:
    response = await http.request(method, path, json=body)
    assert response.status_code == status
    violations = github.take_violations()
    assert len(violations) >= 1 and any(problem in v for v in violations), violations
    assert github.calls == []  # rejected requests are not served


async def test_nullable_fields_accept_null(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    # OpenAPI 3.0 `nullable: true` (e.g. a milestone) must translate to JSON-schema `null`.
    github.on("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", json={})
    response = await http.patch(f"{REPO}/issues/3", json={"milestone": None, "title": "t"})
    assert response.status_code == 200


async def test_requires_authorization(github: FakeGitHub) -> None:
    async with httpx.AsyncClient(base_url=github.url) as client:
        assert (await client.get(f"{REPO}/check-runs/1")).status_code == 401
        # an installation token on an App endpoint
        response = await client.get("/app/hook/deliveries", headers=TOKEN)
        assert response.status_code == 401
    assert len(github.take_violations()) == 2


async def test_verifies_app_jwt(github: FakeGitHub, private_key_pem: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from gidgethub.apps import get_jwt

    key = serialization.load_pem_private_key(private_key_pem.encode(), None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    github.verify_app_jwt(public, app_id=4242)
    github.on("GET", "/app/hook/deliveries", json=[])
    async with httpx.AsyncClient(base_url=github.url) as client:
        good = get_jwt(app_id="4242", private_key=private_key_pem)
        ok = await client.get("/app/hook/deliveries", headers={"Authorization": f"bearer {good}"})
        wrong_app = get_jwt(app_id="1", private_key=private_key_pem)
        bad = await client.get("/app/hook/deliveries", headers={"Authorization": f"Bearer {wrong_app}"})
        # the App JWT where an installation token belongs
        misused = await client.get(f"{REPO}/check-runs/1", headers={"Authorization": f"Bearer {good}"})
    assert (ok.status_code, bad.status_code, misused.status_code) == (200, 401, 403)
    problems = github.take_violations()
    assert len(problems) == 2 and "iss=" in problems[0] and "not the App JWT" in problems[1]


async def test_unanswered_valid_request_is_a_violation(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    response = await http.get(f"{REPO}/actions/runs/5")
    assert response.status_code == 404
    assert "no canned response" in github.take_violations()[0]
    assert github.calls_to("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}")[0].status == 404


def test_registering_an_unknown_operation_fails_at_once(github: FakeGitHub) -> None:
    with pytest.raises(ValueError, match="not an operation"):
        github.on("GET", "/repos/{owner}/{repo}/actions/runz/{run_id}", json={})
    with pytest.raises(ValueError, match="matches no operation"):
        github.on("POST", f"{REPO}/actions/runs/5", json={})


# -- canned replies

async def test_canned_reply_by_template_and_by_concrete_path(
    github: FakeGitHub, http: httpx.AsyncClient,
) -> None:
    github.on("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}", json={"id": 0})
    github.on("GET", f"{REPO}/actions/runs/7", json={"id": 7}, headers={"ETag": '"x"'})
    assert (await http.get(f"{REPO}/actions/runs/7")).json() == {"id": 7}
    assert (await http.get(f"{REPO}/actions/runs/8")).json() == {"id": 0}
    assert (await http.get(f"{REPO}/actions/runs/7")).headers["etag"] == '"x"'
    calls = github.calls_to("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}")
    assert [c.params["run_id"] for c in calls] == ["7", "8", "7"]
    assert calls[0].operation_id == "actions/get-workflow-run"
    sent = github.calls_to("GET", f"{REPO}/actions/runs/8")[0].headers
    assert sent["authorization"] == TOKEN["Authorization"]


async def test_handler_and_times(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    async def permission(request: Call, params: dict[str, str]) -> dict[str, Any]:
        return {"permission": "admin" if params["username"] == "boss" else "read", "user": None}

    github.on("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", permission)
    github.on("GET", f"{REPO}/collaborators/boss/permission", json={"message": "gone"}, status=404, times=1)
    boss = f"{REPO}/collaborators/boss/permission"
    assert (await http.get(boss)).status_code == 404
    assert (await http.get(boss)).json()["permission"] == "admin"
    assert (await http.get(f"{REPO}/collaborators/joe/permission")).json()["permission"] == "read"


async def test_greedy_contents_path_and_git_refs(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    github.on("GET", "/repos/{owner}/{repo}/contents/{path}",
              lambda request, params: Reply(200, {"path": params["path"]}))
    github.on("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}", lambda r, p: {"ref": "refs/" + p["ref"]})
    assert (await http.get(f"{REPO}/contents/src/app/main.py?ref=main")).json() == {"path": "src/app/main.py"}
    response = await http.patch(f"{REPO}/git/refs/heads%2Ffix", json={"sha": "b" * 40, "force": True})
    assert response.json() == {"ref": "refs/heads/fix"}


async def test_broken_handler_fails_the_test(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    github.on("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}", lambda r, p: 1 / 0)
    assert (await http.get(f"{REPO}/actions/runs/1")).status_code == 500
    assert "ZeroDivisionError" in github.take_violations()[0]


# -- pagination

async def test_pagination_wraps_and_links(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    jobs = [{"id": n} for n in range(7)]
    github.paginate(f"{REPO}/actions/runs/5/jobs", jobs)
    first = await http.get(f"{REPO}/actions/runs/5/jobs", params={"per_page": 3})
    assert first.json() == {"total_count": 7, "jobs": jobs[:3]}
    assert first.links["next"]["url"].endswith("per_page=3&page=2")
    assert first.links["last"]["url"].endswith("page=3")
    last = await http.get(first.links["last"]["url"])
    assert last.json()["jobs"] == jobs[6:] and "next" not in last.links and "prev" in last.links


async def test_cursor_pagination_of_plain_arrays(github: FakeGitHub) -> None:
    # webhook deliveries page by an opaque `cursor`, not `page`: following `next` must stay valid
    deliveries = [{"id": n} for n in range(5)]
    github.paginate("/app/hook/deliveries", deliveries)
    seen: list[Any] = []
    url: str | None = f"{github.url}/app/hook/deliveries?per_page=2"
    async with httpx.AsyncClient(headers={"Authorization": "Bearer eyJa.b.c"}) as client:
        while url:
            page = await client.get(url)
            seen += page.json()
            assert "last" not in page.links
            url = page.links.get("next", {}).get("url")
    assert seen == deliveries


# -- redirects to expiring log links

async def test_job_logs_redirect_then_expire(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    github.job_logs("octo", "demo", 42, "##[error]boom\n")
    response = await http.get(f"{REPO}/actions/jobs/42/logs")
    assert response.status_code == 302
    location = response.headers["location"]
    assert not location.startswith(github.url)  # another origin: the token must not follow
    followed = await http.get(f"{REPO}/actions/jobs/42/logs", follow_redirects=True)
    assert followed.text == "##[error]boom\n"
    github.expire_blobs()
    async with httpx.AsyncClient() as anonymous:
        assert (await anonymous.get(location)).status_code == 403


async def test_blob_ttl(github: FakeGitHub) -> None:
    url = github.blob(b"zip", content_type="application/zip", ttl=0)
    async with httpx.AsyncClient() as anonymous:
        assert (await anonymous.get(url)).status_code == 403


async def test_token_sent_to_log_host_is_a_violation(github: FakeGitHub) -> None:
    url = github.blob("log")
    async with httpx.AsyncClient(headers=TOKEN) as leaky:
        assert (await leaky.get(url)).status_code == 200
    assert "Authorization header was sent" in github.take_violations()[0]


# -- injected failures

async def test_fail_next_then_recover(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    github.fail_next("POST", "/repos/{owner}/{repo}/check-runs", status=502, times=2)
    statuses = [(await http.post(f"{REPO}/check-runs", json=check_run())).status_code for _ in range(3)]
    assert statuses == [502, 502, 201]
    assert len(github.calls_to("POST", "/repos/{owner}/{repo}/check-runs")) == 3


@pytest.mark.parametrize(("kind", "status", "header"), [
    ("primary", 403, "x-ratelimit-remaining"),
    ("secondary", 429, "retry-after"),
])
async def test_rate_limits(
    github: FakeGitHub, http: httpx.AsyncClient, kind: str, status: int, header: str,
) -> None:
    github.rate_limit(path=f"{REPO}/issues/1/comments", kind=kind, status=status, retry_after=30)
    limited = await http.get(f"{REPO}/issues/1/comments")
    assert limited.status_code == status
    assert limited.headers[header] == ("0" if kind == "primary" else "30")
    if kind == "primary":
        assert int(limited.headers["x-ratelimit-reset"]) > 0
    assert (await http.get(f"{REPO}/issues/1/comments")).status_code == 200


# -- built-in models

async def test_access_token(github: FakeGitHub) -> None:
    async with httpx.AsyncClient(base_url=github.url, headers={"Authorization": "Bearer eyJa.b.c"}) as client:
        response = await client.post("/app/installations/9/access_tokens", json={})
    body = response.json()
    assert response.status_code == 201 and body["token"].startswith("ghs_")
    assert body["expires_at"].endswith("Z")
    assert github.tokens[body["token"]][0] == 9


async def test_expired_installation_token_gets_401(github: FakeGitHub) -> None:
    github.token_ttl = github.token_ttl * 0
    async with httpx.AsyncClient(base_url=github.url, headers={"Authorization": "Bearer eyJa.b.c"}) as client:
        token = (await client.post("/app/installations/9/access_tokens")).json()["token"]
        response = await client.get(f"{REPO}/issues/1/comments", headers={"Authorization": f"token {token}"})
    assert response.status_code == 401


async def test_check_run_model(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    created = (await http.post(f"{REPO}/check-runs", json=check_run(status="in_progress"))).json()
    annotation = {"path": "a.py", "start_line": 1, "end_line": 1, "annotation_level": "failure",
                  "message": "m"}
    for title in ("one", "two"):
        updated = await http.patch(f"{REPO}/check-runs/{created['id']}", json={
            "conclusion": "failure", "output": {"title": title, "summary": "s", "annotations": [annotation]}})
        assert updated.status_code == 200
    run = (await http.get(f"{REPO}/check-runs/{created['id']}")).json()
    assert (run["status"], run["conclusion"], run["output"]["title"]) == ("completed", "failure", "two")
    assert run["output"]["annotations_count"] == 2  # annotations accumulate across updates
    listed = (await http.get(f"{REPO}/commits/{'a' * 40}/check-runs")).json()
    assert listed["total_count"] == 1 and listed["check_runs"][0]["id"] == created["id"]
    assert len((await http.get(f"{REPO}/check-runs/{created['id']}/annotations")).json()) == 2
    assert (await http.get(f"/repos/octo/other/check-runs/{created['id']}")).status_code == 404


async def test_issue_comment_model(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    github.add_comment("octo", "demo", 3, "human words")
    mine = (await http.post(f"{REPO}/issues/3/comments", json={"body": "report v1"})).json()
    assert mine["user"]["type"] == "Bot" and mine["user"]["login"] == github.bot_login
    await http.patch(f"{REPO}/issues/comments/{mine['id']}", json={"body": "report v2"})
    bodies = [c["body"] for c in (await http.get(f"{REPO}/issues/3/comments")).json()]
    assert bodies == ["human words", "report v2"]
    assert (await http.delete(f"{REPO}/issues/comments/{mine['id']}")).status_code == 204
    assert [c["body"] for c in github.issue_comments("octo", "demo", 3)] == ["human words"]


async def test_state_resets_between_tests_part_1(github: FakeGitHub) -> None:
    github.add_comment("octo", "demo", 1, "left over?")
    github.on("GET", "/app/hook/deliveries", json=[])


async def test_state_resets_between_tests_part_2(github: FakeGitHub) -> None:
    assert github.issue_comments("octo", "demo", 1) == [] and github.calls == []
    assert not github._canned


SHA = "b" * 40


# Valid requests of the operations other features use through canned replies: each must pass validation.
@pytest.mark.parametrize(("method", "path", "body", "auth"), [
    ("POST", f"{REPO}/git/blobs", {"content": "print(1)\n", "encoding": "utf-8"}, "token ghs_t"),
    ("POST", f"{REPO}/git/trees", {"base_tree": SHA, "tree": [
        {"path": "a.py", "mode": "100644", "type": "blob", "sha": SHA}]}, "token ghs_t"),
    ("POST", f"{REPO}/git/commits", {"message": "fix", "tree": SHA, "parents": [SHA]}, "token ghs_t"),
    ("POST", f"{REPO}/git/refs", {"ref": "refs/heads/ci-triage/fix-1", "sha": SHA}, "token ghs_t"),
    ("GET", f"{REPO}/git/ref/heads/main", None, "token ghs_t"),
    ("PUT", f"{REPO}/contents/src/a.py", {"message": "fix", "content": "cHJpbnQoMSkK", "sha": SHA,
                                          "branch": "ci-triage/fix-1"}, "token ghs_t"),
    ("GET", f"{REPO}/collaborators/octocat/permission", None, "token ghs_t"),
    ("POST", "/app/hook/deliveries/123/attempts", None, "Bearer eyJa.b.c"),
    ("POST", "/app-manifests/abc123/conversions", None, None),  # the one call made without credentials
])
async def test_accepts_valid_requests(
    github: FakeGitHub, method: str, path: str, body: Any, auth: str | None,
) -> None:
    github.on(method, path, json={}, status=201 if method in ("POST", "PUT") else 200)
    headers = {"Authorization": auth} if auth else {}
    async with httpx.AsyncClient(base_url=github.url, headers=headers) as client:
        response = await client.request(method, path, json=body)
    assert response.status_code in (200, 201), response.text
    assert github.violations == []


async def test_serves_a_commits_tree(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    github.tree("octo", "demo", "a" * 40, ["src/app.py", "tests/test_app.py", "README.md"])
    flat = (await http.get(f"/repos/octo/demo/git/trees/{'a' * 40}")).json()
    assert [(e["path"], e["type"]) for e in flat["tree"]] == [("README.md", "blob"), ("src", "tree"), ("tests", "tree")]
    deep = (await http.get(f"/repos/octo/demo/git/trees/{'a' * 40}", params={"recursive": "1"})).json()
    blobs = [e["path"] for e in deep["tree"] if e["type"] == "blob"]
    assert blobs == ["README.md", "src/app.py", "tests/test_app.py"] and deep["truncated"] is False
    missing = await http.get(f"/repos/octo/demo/git/trees/{'b' * 40}", params={"recursive": "1"})
    assert missing.status_code == 404


async def test_serves_files_at_a_commit_as_the_contents_api_does(github: FakeGitHub, http: httpx.AsyncClient) -> None:
    sha = "c" * 40
    github.files("octo", "demo", sha, {"config/deploy.yaml": "ports:\n  - 80\n", "src/app.py": "x = 1\n" * 50})
    tree = (await http.get(f"/repos/octo/demo/git/trees/{sha}", params={"recursive": "1"})).json()
    listed = {e["path"]: e for e in tree["tree"] if e["type"] == "blob"}
    assert listed["config/deploy.yaml"]["size"] == len("ports:\n  - 80\n")
    # the tree's blob sha is git's object id (``git hash-object``), the one the contents API answers
    assert listed["config/deploy.yaml"]["sha"] == hashlib.sha1(b"blob 14\0ports:\n  - 80\n").hexdigest()
    response = await http.get(f"{REPO}/contents/src/app.py", params={"ref": sha})
    body = response.json()
    assert response.status_code == 200 and body["type"] == "file" and body["encoding"] == "base64"
    assert base64.b64decode(body["content"]).decode() == "x = 1\n" * 50
    assert body["sha"] == listed["src/app.py"]["sha"] and body["size"] == listed["src/app.py"]["size"]
    assert_valid_response("GET", "/repos/{owner}/{repo}/contents/{path}", body)
    assert (await http.get(f"{REPO}/contents/src/app.py", params={"ref": "d" * 40})).status_code == 404
    assert github.violations == []
    # a path nobody set up is still the test's omission, as for any operation
    assert (await http.get(f"{REPO}/contents/src/missing.py", params={"ref": sha})).status_code == 404
    assert len(github.take_violations()) == 1
