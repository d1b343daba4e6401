"""POST /webhooks/github at the HTTP level: signature, size cap, JSON, ping, unhandled events, dedup."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import urllib.parse
import uuid

import httpx

from githubapp.app import create_app
from githubapp.deps import Deps
from tests.support.fixtures import WEBHOOK_SECRET

from .conftest import MakeDeps, asgi_client, webhook_headers

# GitHub's documented test vector (docs: validating webhook deliveries).
VECTOR_SECRET = "It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def vector_headers(**extra: str) -> dict[str, str]:
    return {"X-GitHub-Event": "workflow_run", "X-GitHub-Delivery": str(uuid.uuid4()),
            "Content-Type": "application/json", **extra}


async def test_documented_vector_is_accepted_and_tampering_refused(make_deps: MakeDeps) -> None:
    deps = await make_deps(github_webhook_secrets=(VECTOR_SECRET,))
    async with asgi_client(deps) as client:
        good = await client.post("/webhooks/github", content=VECTOR_BODY,
                                 headers=vector_headers(**{"X-Hub-Signature-256": VECTOR_SIGNATURE}))
        # Signature accepted; the body is not JSON, so 400 rather than 401.
        assert good.status_code == 400, good.text
        tampered = await client.post("/webhooks/github", content=b"Hello, World?",
                                     headers=vector_headers(**{"X-Hub-Signature-256": VECTOR_SIGNATURE}))
        assert tampered.status_code == 401
        missing = await client.post("/webhooks/github", content=VECTOR_BODY, headers=vector_headers())
        assert missing.status_code == 401
        sha1 = "sha1=" + hmac.new(VECTOR_SECRET.encode(), VECTOR_BODY, hashlib.sha1).hexdigest()
        sha1_only = await client.post("/webhooks/github", content=VECTOR_BODY,
                                      headers=vector_headers(**{"X-Hub-Signature": sha1}))
        assert sha1_only.status_code == 401
        malformed = await client.post("/webhooks/github", content=VECTOR_BODY,
                                      headers=vector_headers(**{"X-Hub-Signature-256": VECTOR_SIGNATURE[7:]}))
        assert malformed.status_code == 401

    other = await make_deps(github_webhook_secrets=("a different secret",))
    async with asgi_client(other) as client:
        wrong_secret = await client.post("/webhooks/github", content=VECTOR_BODY,
                                         headers=vector_headers(**{"X-Hub-Signature-256": VECTOR_SIGNATURE}))
        assert wrong_secret.status_code == 401


async def test_rotation_accepts_every_configured_secret(make_deps: MakeDeps) -> None:
    deps = await make_deps(github_webhook_secrets=("new-secret", "old-secret"))
    body = json.dumps({"zen": "rotate"}).encode()
    async with asgi_client(deps) as client:
        for secret in ("new-secret", "old-secret"):
            response = await client.post("/webhooks/github", content=body,
                                         headers=webhook_headers("ping", body, secret))
            assert response.status_code == 200, response.text
        response = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers("ping", body, "retired-secret"))
        assert response.status_code == 401


async def test_refused_requests_store_nothing(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    body = json.dumps({"action": "completed", "workflow_run": {"id": 1}}).encode()
    delivery = str(uuid.uuid4())
    async with asgi_client(deps) as client:
        response = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers("workflow_run", body, "wrong", delivery))
    assert response.status_code == 401
    assert await deps.pool.fetchval("SELECT count(*) FROM deliveries WHERE id = $1", delivery) == 0
    assert await deps.queue.zcard(deps.settings.queue_name) == 0


async def test_body_over_the_cap_is_refused_even_without_content_length(make_deps: MakeDeps) -> None:
    deps = await make_deps(webhook_max_bytes=2048)
    body = json.dumps({"action": "completed", "padding": "x" * 4000}).encode()

    async def chunks():  # type: ignore[no-untyped-def]
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    async with asgi_client(deps) as client:
        declared = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers("workflow_run", body, WEBHOOK_SECRET))
        assert declared.status_code == 413
        streamed = await client.post("/webhooks/github", content=chunks(),
                                     headers=webhook_headers("workflow_run", body, WEBHOOK_SECRET))
        assert streamed.status_code == 413
        lying = await client.post(
            "/webhooks/github", content=chunks(),
            headers={**webhook_headers("workflow_run", body, WEBHOOK_SECRET), "Content-Length": "100"},
        )
        assert lying.status_code in (400, 413)


async def test_ping_unhandled_and_handled_events(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    async with asgi_client(deps) as client:
        ping = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
        response = await client.post("/webhooks/github", content=ping,
                                     headers=webhook_headers("ping", ping, WEBHOOK_SECRET))
        assert response.status_code == 200

        push = json.dumps({"ref": "refs/heads/main", "installation": {"id": 77}}).encode()
        push_id = str(uuid.uuid4())
        response = await client.post("/webhooks/github", content=push,
                                     headers=webhook_headers("push", push, WEBHOOK_SECRET, push_id))
        assert response.status_code == 202
        row = await deps.pool.fetchrow("SELECT status, installation_id FROM deliveries WHERE id = $1", push_id)
        assert (row["status"], row["installation_id"]) == ("ignored", 77)

        run = json.dumps({"action": "completed", "installation": {"id": 78},
                          "repository": {"id": 5, "full_name": "octo/repo"}, "workflow_run": {"id": 9}}).encode()
        run_id = str(uuid.uuid4())
        response = await client.post("/webhooks/github", content=run,
                                     headers=webhook_headers("workflow_run", run, WEBHOOK_SECRET, run_id))
        assert response.status_code == 202
        row = await deps.pool.fetchrow("SELECT * FROM deliveries WHERE id = $1", run_id)
        assert (row["event"], row["action"], row["installation_id"], row["repository"], row["status"]) == (
            "workflow_run", "completed", 78, "octo/repo", "pending")
        assert row["payload"]["workflow_run"] == {"id": 9}
        assert await deps.queue.exists(f"arq:job:{run_id}")
        queued = await deps.queue.zrange(deps.settings.queue_name, 0, -1)
        assert queued == [run_id.encode()]


async def test_redelivery_is_stored_and_enqueued_once(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    body = json.dumps({"action": "created", "installation": {"id": 79}, "comment": {"body": "hi"}}).encode()
    delivery = str(uuid.uuid4())
    async with asgi_client(deps) as client:
        first = await client.post("/webhooks/github", content=body,
                                  headers=webhook_headers("issue_comment", body, WEBHOOK_SECRET, delivery))
        second = await client.post("/webhooks/github", content=body,
                                   headers=webhook_headers("issue_comment", body, WEBHOOK_SECRET, delivery))
    assert (first.status_code, second.status_code) == (202, 202)
    assert "duplicate" in second.json()["message"]
    assert await deps.pool.fetchval("SELECT count(*) FROM deliveries WHERE id = $1", delivery) == 1
    assert await deps.queue.zcard(deps.settings.queue_name) == 1


async def test_missing_headers_and_nul_characters(make_deps: MakeDeps) -> None:
    deps: Deps = await make_deps()
    body = b'{"action": "created", "installation": {"id": 80}, "comment": {"body": "nul \\u0000 here"}}'
    async with asgi_client(deps) as client:
        headers = webhook_headers("issue_comment", body, WEBHOOK_SECRET)
        del headers["X-GitHub-Delivery"]
        response = await client.post("/webhooks/github", content=body, headers=headers)
        assert response.status_code == 400
        for not_an_object in (b"[]", b'"text"', b"42"):
            response = await client.post("/webhooks/github", content=not_an_object,
                                         headers=webhook_headers("issue_comment", not_an_object, WEBHOOK_SECRET))
            assert response.status_code == 400
        delivery = str(uuid.uuid4())
        response = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers("issue_comment", body, WEBHOOK_SECRET, delivery))
        assert response.status_code == 202
    payload = await deps.pool.fetchval("SELECT payload FROM deliveries WHERE id = $1", delivery)
    assert payload["comment"]["body"] == "nul  here"


async def test_concurrent_burst_with_redeliveries(make_deps: MakeDeps) -> None:
    """Requests written together in one batch: each id stored once, accepted once, enqueued once."""
    deps = await make_deps()
    repeated = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in range(40)] + [repeated] * 5
    body = json.dumps({"action": "completed", "installation": {"id": 81}}).encode()
    async with asgi_client(deps) as client:
        responses = await asyncio.gather(*(
            client.post("/webhooks/github", content=body,
                        headers=webhook_headers("workflow_job", body, WEBHOOK_SECRET, delivery))
            for delivery in ids))
    assert {r.status_code for r in responses} == {202}
    messages = [r.json()["message"] for r in responses]
    assert messages.count("accepted") == 41 and messages.count("duplicate delivery; already stored") == 4
    assert await deps.pool.fetchval("SELECT count(*) FROM deliveries WHERE id = ANY($1::text[])", ids) == 41
    assert await deps.queue.zcard(deps.settings.queue_name) == 41


async def test_form_encoded_delivery_is_stored_as_its_payload_field(make_deps: MakeDeps) -> None:
    """GitHub's other content type: the JSON document is the ``payload`` form field, signed as the whole body."""
    deps = await make_deps()
    document = json.dumps({"action": "completed", "installation": {"id": 82}, "repository": {"full_name": "o/r"}})
    body = urllib.parse.urlencode({"payload": document}).encode()
    delivery = str(uuid.uuid4())
    headers = {**webhook_headers("workflow_run", body, WEBHOOK_SECRET, delivery),
               "Content-Type": "application/x-www-form-urlencoded"}
    async with asgi_client(deps) as client:
        response = await client.post("/webhooks/github", content=body, headers=headers)
        assert response.status_code == 202, response.text
        no_field = urllib.parse.urlencode({"other": document}).encode()
        form = "application/x-www-form-urlencoded"
        refused = await client.post("/webhooks/github", content=no_field, headers={
            **webhook_headers("workflow_run", no_field, WEBHOOK_SECRET), "Content-Type": form})
        assert refused.status_code == 400
    row = await deps.pool.fetchrow("SELECT action, installation_id, repository, payload FROM deliveries WHERE id = $1",
                                   delivery)
    assert (row["action"], row["installation_id"], row["repository"]) == ("completed", 82, "o/r")
    assert row["payload"] == json.loads(document)


async def test_webhook_answers_json_and_other_methods_get_405(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    body = json.dumps({"zen": "fast"}).encode()
    async with asgi_client(deps) as client:
        response = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers("ping", body, WEBHOOK_SECRET))
        assert response.status_code == 200 and response.json() == {"message": "pong"}
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert int(response.headers["content-length"]) == len(response.content)
        assert (await client.get("/webhooks/github")).status_code == 405


async def test_what_orjson_refuses_is_decided_as_before(make_deps: MakeDeps) -> None:
    """orjson is stricter than the standard library; such a body still gets the answer it got before: a
    non-object 400, a document the database cannot store as jsonb (NaN) 503 (GitHub marks it failed)."""
    deps = await make_deps()
    async with asgi_client(deps) as client:
        for body, status in ((b'[NaN]', 400), (b'{"n": NaN, "installation": {"id": 83}}', 503),
                             (b'{"big": 123456789012345678901234567890, "installation": {"id": 84}}', 202)):
            response = await client.post("/webhooks/github", content=body,
                                         headers=webhook_headers("workflow_run", body, WEBHOOK_SECRET))
            assert response.status_code == status, (body, response.text)


async def test_webhook_behind_a_path_prefix(make_deps: MakeDeps) -> None:
    """Under a proxy's root path the webhook is still taken by its fast path (and stored), as by the router."""
    deps = await make_deps()
    app = create_app(deps.settings, deps=deps)
    app.state.deps = deps
    body = json.dumps({"action": "completed", "installation": {"id": 85}}).encode()
    delivery = str(uuid.uuid4())
    transport = httpx.ASGITransport(app=app, root_path="/triage")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/triage/webhooks/github", content=body,
                                     headers=webhook_headers("workflow_run", body, WEBHOOK_SECRET, delivery))
    assert response.status_code == 202, response.text
    assert "content-security-policy" not in response.headers  # the page middleware was not on its way
    assert await deps.pool.fetchval("SELECT status FROM deliveries WHERE id = $1", delivery) == "pending"
