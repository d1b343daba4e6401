"""The REST API on real PostgreSQL, Redis and history: ingestion, scoping, pagination, validation, patterns,
metrics and limits. Data goes in through POST /api/test-runs, as another CI would send it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from analysis.types import Failure, FailureKind, LineRange
from githubapp.deps import Deps
from githubapp.history.service import RunContext, history_of
from storage import api_keys

from .conftest import MakeDeps, asgi_client, new_key, run_body, seed_installation

JUNIT = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="checkout" tests="3" failures="1">
  <testcase classname="tests.test_checkout" name="test_total" file="tests/test_checkout.py" line="12">
    <failure message="AssertionError: assert 41 == 42">tests/test_checkout.py:12: AssertionError</failure>
  </testcase>
  <testcase classname="tests.test_checkout" name="test_tax"/>
  <testcase classname="tests.test_checkout" name="test_discount"/>
</testsuite></testsuites>
"""


@dataclass
class World:
    deps: Deps
    client: httpx.AsyncClient
    key_a: str  # installation A (org-a/shop on GitHub, plus Jenkins repos)
    key_b: str  # installation B
    key_a_id: int
    inst_a: int
    inst_b: int

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key_a}"}


@pytest.fixture
async def world(deps: Deps) -> Any:
    inst_a, inst_b = (int(uuid.uuid4().int % 10**9) + 10**9 for _ in range(2))
    repo_a = inst_a * 10
    await seed_installation(deps, inst_a, "org-a", {repo_a: "org-a/shop"})
    await seed_installation(deps, inst_b, "org-b", {inst_b * 10: "org-b/site"})
    key_a, key_a_id = await new_key(deps, inst_a)
    key_b, _ = await new_key(deps, inst_b)
    async with asgi_client(deps) as client:
        yield World(deps, client, key_a, key_b, key_a_id, inst_a, inst_b)


async def ingest(world: World, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    return await world.client.post("/api/test-runs", json=body, headers=world.auth(key))


async def test_ingest_matches_history_and_is_idempotent(world: World) -> None:
    first = await ingest(world, run_body("build-1"))
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["status"] == "failed" and answer["replayed"] is False
    assert answer["failures"][0]["name"] == "PaymentTest.refundsTwice"
    assert answer["failures"][0]["how"] == "new"
    assert answer["similarPatterns"] == []
    assert answer["repositoryId"] < 0  # a repository of another CI system

    reused = await ingest(world, run_body("build-1"))  # another commit under the same id
    assert reused.status_code == 409  # refused rather than silently answered with the first run
    body = run_body("build-2")
    again = await ingest(world, body)
    same = await ingest(world, body)
    assert same.status_code == 200
    assert same.json() == {**again.json(), "replayed": True}

    similar = again.json()["similarPatterns"]
    assert [p["patternId"] for p in similar] == [answer["failures"][0]["patternId"]]
    assert similar[0]["occurrences"] >= 2 and similar[0]["title"]
    rows = await world.deps.pool.fetchval(
        "SELECT count(*) FROM ci_runs WHERE installation_id = $1 AND client_id = 'build-2'", world.inst_a
    )
    assert rows == 1


async def test_ingest_multipart_junit_and_log(world: World) -> None:
    import json

    metadata = {"id": "gl-77", "repository": "gitlab/web", "ci": "gitlab", "branch": "feature", "commit": "abc123"}
    log = b"$ pytest\nE   ModuleNotFoundError: No module named 'requests'\nERROR: Job failed: exit code 1\n"
    response = await world.client.post(
        "/api/test-runs",
        headers=world.auth(),
        data={"metadata": json.dumps(metadata)},
        files=[("junit", ("report.xml", JUNIT, "application/xml")), ("log", ("job.log", log, "text/plain"))],
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    names = {f["name"] for f in answer["failures"]}
    assert any(name and "test_total" in name for name in names)
    assert answer["status"] == "failed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"repository": "a/b", "ci": "jenkins"}, "id"),
        ({"id": "x", "ci": "jenkins"}, "repository"),
        ({"id": "x", "repository": "not a repo", "ci": "jenkins"}, "repository"),
        ({"id": "x", "repository": "a/b", "ci": "jenkins", "failedTests": [{"name": "t", "line": "x"}]},
         "failedTests.0.line"),
        ({"id": "x", "repository": "a/b", "ci": "jenkins", "surprise": 1}, "surprise"),
    ],
)
async def test_ingest_validation_names_the_field(world: World, body: dict[str, Any], field: str) -> None:
    response = await ingest(world, body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["detail"]]


async def test_bad_json_and_media_type(world: World) -> None:
    bad = await world.client.post("/api/test-runs", content=b"{", headers={**world.auth(),
                                                                            "Content-Type": "application/json"})
    assert bad.status_code == 400
    text = await world.client.post("/api/test-runs", content=b"hi", headers={**world.auth(),
                                                                              "Content-Type": "text/plain"})
    assert text.status_code == 415


async def test_scoping_other_installation_revoked_key_and_missing_objects(world: World) -> None:
    answer = (await ingest(world, run_body("scope-1"))).json()
    failure_id = answer["failures"][0]["failureId"]
    pattern_id = answer["failures"][0]["patternId"]
    own = await world.client.get(f"/api/failures/{failure_id}", headers=world.auth())
    assert own.status_code == 200
    detail = own.json()
    assert detail["excerpt"] and "PaymentTest.java:88" in detail["excerpt"]
    assert detail["snapshotLinks"][0]["label"] == "screenshot"
    assert detail["pattern"]["id"] == pattern_id

    other = await world.client.get(f"/api/failures/{failure_id}", headers=world.auth(world.key_b))
    missing = await world.client.get("/api/failures/999999999999", headers=world.auth(world.key_b))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()  # nothing tells the object exists elsewhere
    for path in (f"/api/patterns/{pattern_id}", f"/api/patterns/{pattern_id}/mute"):
        method = "POST" if path.endswith("mute") else "GET"
        response = await world.client.request(method, path, headers=world.auth(world.key_b))
        assert response.status_code == 404
    listed = (await world.client.get("/api/failures", headers=world.auth(world.key_b))).json()
    assert all(f["id"] != failure_id for f in listed["items"])

    async with world.deps.pool.acquire() as conn:
        await api_keys.revoke_key(conn, world.key_a_id, world.inst_a)
    revoked = await world.client.get(f"/api/failures/{failure_id}", headers=world.auth())
    assert revoked.status_code == 401
    assert revoked.json() == (await world.client.get("/api/failures/1")).json()
    via_header = await world.client.get("/api/repositories", headers={"x-api-key": world.key_b})
    assert via_header.status_code == 200


async def test_failures_pagination_and_filters(world: World) -> None:
    for i in range(7):
        body = run_body(f"page-{i}", branch="main" if i % 2 == 0 else "dev",
                        failedTests=[{"name": f"Suite.test{i}", "message": f"boom number {i}"}])
        assert (await ingest(world, body)).status_code == 200
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, "repository": "jenkins/payments"}
        if cursor:
            params["cursor"] = cursor
        page = (await world.client.get("/api/failures", params=params, headers=world.auth())).json()
        seen += [f["id"] for f in page["items"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 7
    assert pages >= 3
    dev = (await world.client.get("/api/failures", params={"branch": "dev", "limit": 100},
                                  headers=world.auth())).json()["items"]
    assert dev and all(f["branch"] == "dev" for f in dev)
    tests_only = (await world.client.get("/api/failures", params={"kind": "compile"}, headers=world.auth())).json()
    assert tests_only["items"] == []
    future = (await world.client.get("/api/failures", params={"since": "2999-01-01T00:00:00Z"},
                                     headers=world.auth())).json()
    assert future["items"] == []
    runs = (await world.client.get("/api/runs", params={"limit": 2}, headers=world.auth())).json()
    assert len(runs["items"]) == 2 and runs["nextCursor"]
    newest = runs["items"][0]
    of_run = (await world.client.get("/api/failures", params={"run": newest["id"]}, headers=world.auth())).json()
    assert [f["testId"] for f in of_run["items"]] == ["Suite.test6"]
    assert of_run["items"][0]["runId"] == newest["id"]
    other = (await world.client.get("/api/runs", headers=world.auth(world.key_b))).json()["items"]
    assert other == []
    hidden = await world.client.get("/api/failures", params={"run": newest["id"]}, headers=world.auth(world.key_b))
    assert hidden.json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("since=yesterday", "since"),
        ("since=2024-01-01T00:00:00", "since"),  # no time zone
        ("kind=weird", "kind"),
        ("cursor=not-a-cursor", "cursor"),
        ("since=2024-02-01T00:00:00Z&until=2024-01-01T00:00:00Z", "until"),
    ],
)
async def test_query_validation_is_422_naming_the_field(world: World, query: str, field: str) -> None:
    response = await world.client.get(f"/api/failures?{query}", headers=world.auth())
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == field


async def test_patterns_search_mute_pin_merge(world: World) -> None:
    one = (await ingest(world, run_body("p-1", failedTests=[
        {"name": "Db.connects", "message": "psycopg.OperationalError: connection refused on port 5432"}]))).json()
    two = (await ingest(world, run_body("p-2", failedTests=[
        {"name": "Ui.renders", "message": "TimeoutError: locator('#submit') not visible after 30000ms"}]))).json()
    p1, p2 = one["failures"][0]["patternId"], two["failures"][0]["patternId"]
    assert p1 != p2
    hits = (await world.client.get("/api/patterns/search", params={"q": "OperationalError connection refused 5432"},
                                   headers=world.auth())).json()["items"]
    assert hits[0]["patternId"] == p1
    muted = await world.client.post(f"/api/patterns/{p1}/mute", headers=world.auth())
    assert muted.status_code == 200 and muted.json()["status"] == "muted"
    pinned = await world.client.post(f"/api/patterns/{p1}/pin", headers=world.auth())
    assert pinned.json()["status"] == "pinned"
    only_pinned = (await world.client.get("/api/patterns", params={"status": "pinned"}, headers=world.auth())).json()
    assert [p["id"] for p in only_pinned["items"]] == [p1]

    merged = await world.client.post(f"/api/patterns/{p2}/merge", json={"into": p1}, headers=world.auth())
    assert merged.status_code == 200, merged.text
    detail = (await world.client.get(f"/api/patterns/{p1}", headers=world.auth())).json()
    assert {m["testId"] for m in detail["members"]} >= {"Db.connects", "Ui.renders"}
    assert sum(d["failures"] for d in detail["timeline"]) >= 2
    assert (await world.client.get(f"/api/patterns/{p2}", headers=world.auth())).status_code == 404
    bad = await world.client.post(f"/api/patterns/{p1}/merge", json={"into": "x"}, headers=world.auth())
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "into"


async def test_metrics_from_ingested_runs(world: World) -> None:
    for i, failed in enumerate([True, True, False, True, False]):
        body = run_body(f"m-{i}", repository="jenkins/metrics", durationSeconds=300, branch="trunk",
                        defaultBranch="trunk")
        if not failed:
            body["failedTests"] = []
            body["status"] = "passed"
        assert (await ingest(world, body)).status_code == 200
    response = await world.client.get("/api/metrics", params={"repository": "jenkins/metrics"},
                                      headers=world.auth())
    assert response.status_code == 200, response.text
    metrics = response.json()
    assert metrics["runs"] == 5
    assert metrics["failureRate"] == pytest.approx(0.6)
    assert metrics["timeToRecovery"]["episodes"] == 2
    top = metrics["topPatternsByTimeLost"][0]
    assert top["minutesLost"] == pytest.approx(15.0)  # three failing runs of 5 minutes each
    org = (await world.client.get("/api/metrics", headers=world.auth())).json()
    assert org["runs"] >= 5
    unknown = await world.client.get("/api/metrics", params={"repository": "nope/nope"}, headers=world.auth())
    assert unknown.status_code == 422


async def test_rate_limit_per_key_across_addresses(make_deps: MakeDeps) -> None:
    from githubapp.app import create_app

    deps = await make_deps(api_rate_limit=2)
    installation = int(uuid.uuid4().int % 10**9) + 2 * 10**9
    await seed_installation(deps, installation, "org-rl", {})
    key, _ = await new_key(deps, installation)
    other_key, _ = await new_key(deps, installation)
    app = create_app(deps.settings, deps=deps)
    app.state.deps = deps

    def client_from(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with client_from("10.0.0.1") as first, client_from("10.0.0.2") as second:
        ok = [(await first.get("/api/repositories", headers={"x-api-key": key})).status_code for _ in range(2)]
        limited = await second.get("/api/repositories", headers={"x-api-key": key})  # same key, fresh address
        other = await second.get("/api/repositories", headers={"x-api-key": other_key})
    assert ok == [200, 200]
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert other.status_code == 200  # the second address and the other key still have budget


async def seed_flaky(world: World) -> None:
    """Net.retries fails and passes on the same commit: a flake."""
    commit = uuid.uuid4().hex
    flaky = {"name": "Net.retries", "message": "ConnectionResetError: peer reset"}
    for i, failed in enumerate([True, False, True, False]):
        body = run_body(f"flaky-{i}", repository="jenkins/flaky", commit=commit, failedTests=[flaky] if failed else [],
                        passedTests=["Net.ok"] + ([] if failed else ["Net.retries"]),
                        status="failed" if failed else "passed")
        assert (await ingest(world, body)).status_code == 200


async def test_flaky_tests_by_impact(world: World) -> None:
    await seed_flaky(world)
    listed = await world.client.get("/api/flaky-tests", params={"repository": "jenkins/flaky"}, headers=world.auth())
    assert listed.status_code == 200, listed.text
    [test] = [t for t in listed.json()["items"] if t["testId"] == "Net.retries"]
    assert test["score"] > 0 and test["failures"] == 2 and test["quarantinedUntil"] is None
    assert all(t["testId"] != "Net.ok" for t in listed.json()["items"])
    assert (await world.client.get("/api/flaky-tests", headers=world.auth(world.key_b))).json()["items"] == []


async def test_quarantine_through_the_api(world: World) -> None:
    await seed_flaky(world)
    done = await world.client.post("/api/flaky-tests/quarantine", headers=world.auth(),
                                   json={"repository": "jenkins/flaky", "testName": "Net.retries", "days": 7})
    assert done.status_code == 200 and done.json()["result"] == "ok", done.text
    listed = (await world.client.get("/api/flaky-tests", params={"repository": "jenkins/flaky"},
                                     headers=world.auth())).json()["items"]
    assert [t["quarantinedUntil"] is not None for t in listed if t["testId"] == "Net.retries"] == [True]
    ended = await world.client.post("/api/flaky-tests/unquarantine", headers=world.auth(),
                                    json={"repository": "jenkins/flaky", "testName": "Net.retries"})
    assert ended.json()["result"] == "ok"
    again = await world.client.post("/api/flaky-tests/unquarantine", headers=world.auth(),
                                    json={"repository": "jenkins/flaky", "testName": "Net.retries"})
    assert again.json()["result"] == "refused"
    elsewhere = await world.client.post("/api/flaky-tests/quarantine", headers=world.auth(world.key_b),
                                        json={"repository": "jenkins/flaky", "testName": "Net.retries"})
    assert elsewhere.status_code == 422 and elsewhere.json()["detail"][0]["field"] == "repository"


async def test_fix_queue_and_reject_through_the_api(world: World) -> None:
    from storage import fixes as fix_store

    repo_id = world.inst_a * 10
    fix = await fix_store.save_fix(
        world.deps.pool, installation_id=world.inst_a, repository_id=repo_id, repo_full_name="org-a/shop",
        pr_number=3, head_sha="a" * 40, source="rule", rule="ruff-format", title="Format", explanation="ruff",
        confidence=0.8, score=0.8, diff="--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-x=1\n+x = 1\n", fingerprint=None,
    )
    queue = (await world.client.get("/api/fixes", params={"status": "suggested"}, headers=world.auth())).json()
    assert [f["id"] for f in queue["items"]] == [fix.id]
    assert (await world.client.get("/api/fixes", headers=world.auth(world.key_b))).json()["items"] == []
    hidden = await world.client.post(f"/api/fixes/{fix.id}/reject", headers=world.auth(world.key_b))
    assert hidden.status_code == 404
    bad = await world.client.post("/api/fixes/NOT-HEX/reject", headers=world.auth())
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "fix_id"

    rejected = await world.client.post(f"/api/fixes/{fix.id}/reject", json={"reason": "not this way"},
                                       headers=world.auth())
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["result"] == "rejected" and rejected.json()["fix"]["status"] == "rejected"
    assert rejected.json()["fix"]["decidedBy"] == f"api-key:{world.key_a_id}"
    approve = await world.client.post(f"/api/fixes/{fix.id}/approve", json={"diffHash": queue["items"][0]["diffHash"]},
                                      headers=world.auth())
    assert approve.json()["result"] == "refused" and "rejected" in approve.json()["message"]
    rates = (await world.client.get("/api/metrics", params={"repository": "org-a/shop"},
                                    headers=world.auth())).json()["fixes"]
    assert (rates["suggested"], rates["decided"], rates["rejected"], rates["approvalRate"]) == (1, 1, 1, 0.0)
    entries = await fix_store.audit_entries(world.deps.pool, world.inst_a)
    assert [(e.action, e.result, e.detail["via"]) for e in entries][:2] == [
        ("command.approve", "refused", "api"), ("command.reject", "ok", "api")]


async def test_a_signed_in_user_sees_only_the_repositories_github_lists(world: World) -> None:
    from .conftest import sign_in

    shop, secret = world.inst_a * 10, world.inst_a * 10 + 1
    await seed_installation(world.deps, world.inst_a, "org-a", {secret: "org-a/secret"})
    seen = (await ingest(world, run_body("user-1", repository="org-a/shop"))).json()
    hidden = (await ingest(world, run_body("user-2", repository="org-a/secret", failedTests=[
        {"name": "Secret.test", "message": "classified failure"}]))).json()
    assert (seen["repositoryId"], hidden["repositoryId"]) == (shop, secret)
    cookies = await sign_in(world.deps, login="carol", installations=[world.inst_a], repositories=[shop])
    async with asgi_client(world.deps) as browser:
        browser.cookies.update(cookies)
        listing = (await browser.get("/failures")).text
        assert seen["failures"][0]["message"] in listing and "classified failure" not in listing
        own = await browser.get(f"/failures/{seen['failures'][0]['failureId']}")
        other = await browser.get(f"/failures/{hidden['failures'][0]['failureId']}")
        assert own.status_code == 200 and other.status_code == 404
        assert (await browser.get(f"/repositories/{secret}")).status_code == 404
        overview = (await browser.get("/")).text
        assert "org-a/shop" in overview and "org-a/secret" not in overview
        # the other installation does not exist for this user at all
        assert (await browser.get(f"/repositories/{world.inst_b * 10}")).status_code == 404


async def test_malformed_junit_is_a_clear_error(world: World) -> None:
    import json

    response = await world.client.post(
        "/api/test-runs", headers=world.auth(),
        data={"metadata": json.dumps({"id": "bad-xml", "repository": "gitlab/web", "ci": "gitlab"})},
        files=[("junit", ("report.xml", b"<testsuite><testcase", "application/xml"))],
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == "junit"
    assert "not well-formed" in response.json()["detail"][0]["message"]
    # nothing was recorded: the same id can be sent again once the report is fixed
    fixed = await world.client.post(
        "/api/test-runs", headers=world.auth(),
        data={"metadata": json.dumps({"id": "bad-xml", "repository": "gitlab/web", "ci": "gitlab"})},
        files=[("junit", ("report.xml", JUNIT, "application/xml"))],
    )
    assert fixed.status_code == 200 and fixed.json()["status"] == "failed"


async def test_deployment_frequency_and_change_failure_rate(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    repo = world.inst_a * 10
    now = datetime.now(UTC)
    rows = [  # (deployment, status id, environment, production flag, state, days ago)
        (1, 11, "production", None, "in_progress", 9), (1, 12, "production", None, "success", 9),
        (2, 21, "production", None, "failure", 5),
        (3, 31, "prod-eu", True, "success", 2),
        (4, 41, "pr-7-preview", False, "success", 1),  # a preview: not a delivery to users
    ]
    for deployment, status, environment, production, state, days in rows:
        await world.deps.pool.execute(
            """INSERT INTO deployments (installation_id, repository_id, repository, deployment_id, status_id, sha,
                                       environment, state, production, created_at)
               VALUES ($1, $2, 'org-a/shop', $3, $4, 'abc', $5, $6, $7, $8)""",
            world.inst_a, repo, deployment, status, environment, state, production, now - timedelta(days=days),
        )
    metrics = (await world.client.get("/api/metrics", params={"repository": "org-a/shop", "days": 14},
                                      headers=world.auth())).json()
    assert metrics["deployments"]["deployments"] == 3
    assert metrics["deployments"]["successful"] == 2 and metrics["deployments"]["failed"] == 1
    assert metrics["deployments"]["perWeek"] == pytest.approx(1.0)
    assert metrics["deployments"]["changeFailureRate"] == pytest.approx(1 / 3)
    other = (await world.client.get("/api/metrics", headers=world.auth(world.key_b))).json()
    assert other["deployments"]["deployments"] == 0


async def test_a_failed_ingestion_leaves_nothing_and_can_be_sent_again(world: World) -> None:
    history = world.deps.services.history

    class Broken:
        def __getattr__(self, name: str) -> Any:
            return getattr(history, name)

        async def record_test_outcomes(self, *args: Any, **kwargs: Any) -> int:
            raise RuntimeError("database went away")

    body = run_body("retry-1")
    world.deps.services.history = Broken()  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            await ingest(world, body)
    finally:
        world.deps.services.history = history
    left = await world.deps.pool.fetchval(
        "SELECT count(*) FROM ci_runs WHERE installation_id = $1 AND client_id = 'retry-1'", world.inst_a)
    assert left == 0
    again = await ingest(world, body)
    assert again.status_code == 200 and again.json()["replayed"] is False
    run_key = -again.json()["runId"]
    recorded = await world.deps.pool.fetchval(
        "SELECT count(*) FROM failures WHERE installation_id = $1 AND run_id = $2", world.inst_a, run_key)
    assert recorded == len(again.json()["failures"]) == 1


async def test_an_abandoned_ingestion_is_forgotten(world: World) -> None:
    body = run_body("abandoned-1")
    repository_id = await world.deps.pool.fetchval(
        """INSERT INTO external_repositories (installation_id, full_name) VALUES ($1, 'jenkins/payments')
           ON CONFLICT (installation_id, lower(full_name)) DO UPDATE SET full_name = EXCLUDED.full_name
           RETURNING id""", world.inst_a)
    await world.deps.pool.execute(
        """INSERT INTO ci_runs (installation_id, repository_id, source, client_id, ci, conclusion, created_at)
           VALUES ($1, $2, 'api', 'abandoned-1', 'jenkins', 'failure', now() - interval '1 hour')""",
        world.inst_a, repository_id)
    first = await ingest(world, body)
    assert first.status_code == 409 and first.headers["retry-after"] == "5"
    second = await ingest(world, body)
    assert second.status_code == 200 and second.json()["replayed"] is False


async def test_changing_a_pattern_needs_write_permission_on_its_repositories(world: World) -> None:
    """Issue 19: read access lets a user see a pattern, not mute, pin or merge it (merging rewrites history)."""
    import re

    from .conftest import sign_in

    shop = world.inst_a * 10
    seen = (await ingest(world, run_body("perm-1", repository="org-a/shop"))).json()
    pattern = seen["failures"][0]["patternId"]

    async def post_as(writable: list[int], action: str) -> int:
        cookies = await sign_in(world.deps, login="dana", installations=[world.inst_a], repositories=[shop],
                                writable=writable)
        async with asgi_client(world.deps) as browser:
            browser.cookies.update(cookies)
            page = (await browser.get(f"/patterns/{pattern}")).text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert csrf is not None
            answer = await browser.post(f"/patterns/{pattern}", data={"action": action, "csrf_token": csrf[1]})
            return answer.status_code

    assert await post_as([], "mute") == 403  # a reader
    detail = (await world.client.get(f"/api/patterns/{pattern}", headers=world.auth())).json()
    assert detail["pattern"]["status"] != "muted"
    assert await post_as([shop], "mute") == 303  # a writer
    detail = (await world.client.get(f"/api/patterns/{pattern}", headers=world.auth())).json()
    assert detail["pattern"]["status"] == "muted"


REPEAT_FILES = tuple((f"src/pkg/mod_{n:02}.py", 1 + n % 3) for n in range(100))


def _folded_mypy() -> Failure:
    return Failure(FailureKind.TYPE, "mypy", 'Name "undefined" is not defined  [name-defined]',
                   file="src/pkg/mod_00.py", line=5, evidence=(LineRange(4, 4), LineRange(9, 9)),
                   fingerprint=f"repeats-{uuid.uuid4().hex[:8]}", occurrences=307, files=REPEAT_FILES, file_count=140)


async def _recorded_in_run(world: World, failures: list[Failure]) -> list[int]:
    repo_id = world.inst_a * 10
    run_id = 9_000_000 + int(uuid.uuid4().int % 1_000_000)
    context = RunContext(run_id=run_id, run_attempt=1, job_id=run_id * 10, job_name="typecheck", head_sha="a" * 40,
                         branch="feature/types")
    await history_of(world.deps).record_failures(world.inst_a, repo_id, failures, context)
    rows = await world.deps.pool.fetch(
        "SELECT id FROM failures WHERE installation_id = $1 AND run_id = $2 ORDER BY id", world.inst_a, run_id)
    return [int(r["id"]) for r in rows]


async def test_the_api_and_the_dashboard_say_the_true_count_and_list_the_files(world: World) -> None:
    """A failure the analysis folded from repeats of one message (one mypy error in 140 files) keeps its true
    count and files in the history: the API says them and the dashboard lists the files the PR comment leaves
    out."""
    once = Failure(FailureKind.LINT, "ruff", "F401 `os` imported but unused", file="src/app.py", line=1,
                   fingerprint=f"once-{uuid.uuid4().hex[:8]}")
    folded_id, once_id = await _recorded_in_run(world, [_folded_mypy(), once])
    detail: dict[str, Any] = (await world.client.get(f"/api/failures/{folded_id}", headers=world.auth())).json()
    assert (detail["occurrences"], detail["fileCount"]) == (307, 140)
    assert detail["files"][:2] == [{"path": "src/pkg/mod_00.py", "count": 1}, {"path": "src/pkg/mod_01.py", "count": 2}]
    assert len(detail["files"]) == 100
    plain = (await world.client.get(f"/api/failures/{once_id}", headers=world.auth())).json()
    assert (plain["occurrences"], plain["fileCount"], plain["files"]) == (1, 0, [])
    listed = (await world.client.get("/api/failures", params={"repository": "org-a/shop"},
                                     headers=world.auth())).json()
    [row] = [f for f in listed["items"] if f["id"] == folded_id]
    assert (row["occurrences"], row["fileCount"]) == (307, 140) and "files" not in row

    from .conftest import sign_in

    cookies = await sign_in(world.deps, login="carol", installations=[world.inst_a], repositories=[world.inst_a * 10])
    async with asgi_client(world.deps) as browser:
        browser.cookies.update(cookies)
        page = (await browser.get(f"/failures/{folded_id}")).text
        assert "Printed 307 times in 140 files" in page
        assert "<code class=\"break\">src/pkg/mod_99.py</code>" in page and "and 40 more files" in page
        listing = (await browser.get("/failures")).text
        assert "307 times in 140 files" in listing
        assert "Printed" not in (await browser.get(f"/failures/{once_id}")).text
