"""API key scopes (issue 19): an ingestion key in another CI system cannot approve fixes (push to PR branches)
or rewrite pattern history; keys made before scopes existed keep reading and ingesting only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from githubapp.deps import Deps
from storage import api_keys
from storage import fixes as fix_store

from .conftest import asgi_client, new_key, run_body, seed_installation


@pytest.fixture
async def installation(deps: Deps) -> int:
    inst = int(uuid.uuid4().int % 10**9) + 3 * 10**9
    await seed_installation(deps, inst, "org-s", {inst * 10: "org-s/shop"})
    return inst


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_a_read_and_ingest_key_cannot_decide_fixes_or_rewrite_patterns(deps: Deps, installation: int) -> None:
    key, _ = await new_key(deps, installation, api_keys.DEFAULT_SCOPES)
    fix = await fix_store.save_fix(
        deps.pool, installation_id=installation, repository_id=installation * 10, repo_full_name="org-s/shop",
        pr_number=3, head_sha="a" * 40, source="rule", rule="ruff-format", title="Format", explanation="ruff",
        confidence=0.8, score=0.8, diff="--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-x=1\n+x = 1\n", fingerprint=None,
    )
    async with asgi_client(deps) as client:
        ingested = await client.post("/api/test-runs", json=run_body("s-1"), headers=auth(key))
        assert ingested.status_code == 200, ingested.text
        pattern = ingested.json()["failures"][0]["patternId"]
        assert (await client.get("/api/fixes", headers=auth(key))).status_code == 200
        digest = (await client.get("/api/fixes", headers=auth(key))).json()["items"][0]["diffHash"]
        approve = await client.post(f"/api/fixes/{fix.id}/approve", json={"diffHash": digest}, headers=auth(key))
        assert approve.status_code == 403 and approve.json()["error"] == "insufficient_scope"
        reject = await client.post(f"/api/fixes/{fix.id}/reject", headers=auth(key))
        assert reject.status_code == 403
        for action in ("mute", "pin"):
            assert (await client.post(f"/api/patterns/{pattern}/{action}", headers=auth(key))).status_code == 403
    row = await fix_store.get_fix(deps.pool, installation, fix.id)
    assert row is not None and row.status == "suggested"


async def test_a_read_only_key_cannot_ingest(deps: Deps, installation: int) -> None:
    key, _ = await new_key(deps, installation, ("read",))
    async with asgi_client(deps) as client:
        refused = await client.post("/api/test-runs", json=run_body("s-2"), headers=auth(key))
        assert refused.status_code == 403
        snapshot = await client.post("/api/snapshots", json={"url": "https://example.test/"}, headers=auth(key))
        assert snapshot.status_code == 403
        assert (await client.get("/api/repositories", headers=auth(key))).status_code == 200


async def test_keys_made_before_scopes_read_and_ingest_only(deps: Deps, installation: int) -> None:
    # Migration 0012 gives existing rows the column default: what such keys were made for.
    secret = api_keys.generate_secret()
    await deps.pool.execute(
        "INSERT INTO api_keys (installation_id, name, prefix, key_hash) VALUES ($1, 'old', $2, $3)",
        installation, api_keys.prefix_of(secret), api_keys.hash_key(secret),
    )
    key: Any = await api_keys.authenticate(deps.pool, secret)
    assert key.scopes == ("read", "ingest")
    with pytest.raises(ValueError, match="scope"):
        await api_keys.create_key(deps.pool, installation, "x", ("admin",))
