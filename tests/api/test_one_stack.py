"""One API stack (issue 21): the snapshot endpoints are served by the same Operation machinery as every other
/api operation, so they share its authentication policy, its error shape and its request counting; what the
snapshot API accepted before (a body without a content type, a numeric test run id, nulls) still works."""

from __future__ import annotations

import uuid
from dataclasses import replace

from githubapp.deps import Deps
from storage import api_keys
from storage import snapshots as snapshot_store

from .conftest import asgi_client, new_key

ALLOWED = "http://127.0.0.1:9/page"  # allowed below; nothing listens, and nothing captures in these tests


def allowing_loopback(deps: Deps) -> Deps:
    return replace(deps, settings=replace(deps.settings, snapshot_allow_hosts=("127.0.0.1",)))


def installation() -> int:
    return int(uuid.uuid4().int % 10**9) + 4 * 10**9


async def test_missing_unknown_and_revoked_keys_get_one_answer_everywhere(deps: Deps) -> None:
    secret, key_id = await new_key(deps, installation())
    await api_keys.revoke_key(deps.pool, key_id)
    answers = []
    async with asgi_client(deps) as client:
        for path in ("/api/snapshots/" + str(uuid.uuid4()), "/api/failures"):
            for headers in ({}, {"x-api-key": "cit_nope"}, {"Authorization": f"Bearer {secret}"}):
                response = await client.get(path, headers=headers)
                assert response.status_code == 401
                assert response.headers["www-authenticate"] == 'Bearer realm="ci-triage"'
                answers.append(response.json())
    assert all(a == answers[0] for a in answers) and answers[0]["error"] == "unauthorized"


async def test_snapshot_validation_names_the_field_like_every_operation(deps: Deps) -> None:
    secret, _ = await new_key(deps, installation())
    async with asgi_client(deps) as client:
        bad = await client.post("/api/snapshots", json={"url": ALLOWED, "viewport": {"width": 10}},
                                headers={"x-api-key": secret})
        assert bad.status_code == 422
        assert bad.json()["error"] == "validation" and bad.json()["detail"][0]["field"] == "viewport.width"
        extra = await client.post("/api/snapshots", json={"url": ALLOWED, "extra": 1}, headers={"x-api-key": secret})
        assert [d["field"] for d in extra.json()["detail"]] == ["extra"]
        blank = await client.post("/api/snapshots", json={"url": ALLOWED, "waitForSelector": "  "},
                                  headers={"x-api-key": secret})
        assert blank.status_code == 422 and blank.json()["detail"][0]["field"] == "waitForSelector"
        not_json = await client.post("/api/snapshots", content=b"{nope", headers={"x-api-key": secret})
        assert not_json.status_code == 400 and not_json.json()["error"] == "bad_json"
        big = await client.post("/api/snapshots", json={"url": ALLOWED, "testRunId": "x" * 20_000},
                                headers={"x-api-key": secret})
        assert big.status_code == 413 and big.json()["error"] == "too_large"
        unknown = await client.get("/api/snapshots/not-a-uuid", headers={"x-api-key": secret})
        assert unknown.status_code == 404 and unknown.json() == {"error": "not_found", "message": "no such snapshot"}


async def test_what_the_snapshot_api_accepted_before_still_works(deps: Deps) -> None:
    deps = allowing_loopback(deps)
    inst = installation()
    secret, _ = await new_key(deps, inst)
    async with asgi_client(deps) as client:
        # no content type (curl -d sends form-urlencoded), a numeric test run id, nulls for optional fields
        created = await client.post(
            "/api/snapshots", headers={"x-api-key": secret, "content-type": "application/x-www-form-urlencoded"},
            content=b'{"url": "%s", "testRunId": 421, "viewport": null, "waitForSelector": null}' % ALLOWED.encode(),
        )
        assert created.status_code == 202, created.text
        assert created.json()["testRunId"] == "421" and created.headers["location"] == created.json()["links"]["self"]
        row = await snapshot_store.get_snapshot(deps.pool, inst, uuid.UUID(created.json()["id"]))
        assert row is not None and row["test_run_id"] == "421"
        got = await client.get(created.json()["links"]["self"], headers={"x-api-key": secret})
        assert got.status_code == 200 and got.json()["status"] == "queued"
        head = await client.head(created.json()["links"]["self"], headers={"x-api-key": secret})
        assert head.status_code == 200
        # HEAD on any GET operation is GET without a body (it was a 500 on the Operation routes)
        assert (await client.head("/api/repositories", headers={"x-api-key": secret})).status_code == 200


async def test_snapshot_requests_are_counted_like_every_operation(deps: Deps) -> None:
    secret, _ = await new_key(deps, installation())
    async with asgi_client(deps) as client:
        missing = await client.get(f"/api/snapshots/{uuid.uuid4()}", headers={"x-api-key": secret})
        assert missing.status_code == 404
        text = (await client.get("/metrics")).text
    assert 'ci_triage_api_requests_total{operation="getSnapshot",status="404"} 1' in text.splitlines()
