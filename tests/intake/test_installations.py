"""installation / installation_repositories events keep the tables current; deleted installations purged."""

from __future__ import annotations

import json
import uuid
from typing import Any

from githubapp.deps import Deps
from githubapp.intake.installations import purge_deleted
from storage.installations import tables_with_installation_id
from tests.support.fixtures import WEBHOOK_SECRET
from tests.support.payloads import load_payload

from .conftest import MakeDeps, asgi_client, run_worker, webhook_headers


async def deliver(deps: Deps, event: str, payload: dict[str, Any]) -> str:
    delivery = str(uuid.uuid4())
    body = json.dumps(payload).encode()
    async with asgi_client(deps) as client:
        response = await client.post("/webhooks/github", content=body,
                                     headers=webhook_headers(event, body, WEBHOOK_SECRET, delivery))
    assert response.status_code == 202
    await run_worker(deps)
    assert await deps.pool.fetchval("SELECT status FROM deliveries WHERE id = $1", delivery) == "done"
    return delivery


def with_installation(payload: dict[str, Any], installation_id: int) -> dict[str, Any]:
    payload["installation"]["id"] = installation_id
    return payload


async def test_installation_lifecycle(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    iid = 5_000_000 + uuid.uuid4().int % 1_000_000
    created = with_installation(load_payload("installation", "created"), iid)
    created["repositories"] = [{"id": iid * 10 + 1, "name": "a", "full_name": "octo/a", "private": True}]
    await deliver(deps, "installation", created)
    row = await deps.pool.fetchrow("SELECT * FROM installations WHERE id = $1", iid)
    assert (row["account_login"], row["account_type"], row["deleted_at"]) == ("Codertocat", "User", None)
    assert row["permissions"]["checks"] == "write"
    assert await deps.pool.fetchval("SELECT full_name FROM repositories WHERE id = $1", iid * 10 + 1) == "octo/a"

    added = with_installation(load_payload("installation_repositories", "added"), iid)
    added["repositories_added"] = [{"id": iid * 10 + 2, "name": "b", "full_name": "octo/b", "private": False}]
    await deliver(deps, "installation_repositories", added)
    removed = with_installation(load_payload("installation_repositories", "removed"), iid)
    removed["repositories_removed"] = [{"id": iid * 10 + 1, "name": "a", "full_name": "octo/a", "private": True}]
    await deliver(deps, "installation_repositories", removed)
    repos = {r["full_name"]: r["removed_at"] for r in await deps.pool.fetch(
        "SELECT full_name, removed_at FROM repositories WHERE installation_id = $1", iid)}
    assert repos["octo/b"] is None and repos["octo/a"] is not None

    await deliver(deps, "installation", with_installation(load_payload("installation", "suspend"), iid))
    assert await deps.pool.fetchval("SELECT suspended_at FROM installations WHERE id = $1", iid) is not None
    await deliver(deps, "installation", with_installation(load_payload("installation", "unsuspend"), iid))
    assert await deps.pool.fetchval("SELECT suspended_at FROM installations WHERE id = $1", iid) is None
    await deliver(deps, "installation", with_installation(load_payload("installation", "deleted"), iid))
    assert await deps.pool.fetchval("SELECT deleted_at FROM installations WHERE id = $1", iid) is not None


async def test_purge_covers_every_table_with_installation_id(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    keep, gone = (6_000_000 + uuid.uuid4().int % 1_000_000 + n for n in (0, 1))
    # A table some later feature adds, with a foreign key that forces an order on the purge.
    await deps.pool.execute("""
        CREATE TABLE IF NOT EXISTS intake_test_parent (id BIGSERIAL PRIMARY KEY, installation_id BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS intake_test_child (
            id BIGSERIAL PRIMARY KEY, installation_id BIGINT NOT NULL,
            parent_id BIGINT NOT NULL REFERENCES intake_test_parent(id));""")
    try:
        for iid in (keep, gone):
            await deps.pool.execute("INSERT INTO installations (id, account_login) VALUES ($1, 'o')", iid)
            await deps.pool.execute("INSERT INTO repositories (id, installation_id, full_name) VALUES ($1, $1, $2)",
                                    iid, f"o/{iid}")
            parent = await deps.pool.fetchval(
                "INSERT INTO intake_test_parent (installation_id) VALUES ($1) RETURNING id", iid)
            await deps.pool.execute("INSERT INTO intake_test_child (installation_id, parent_id) VALUES ($1, $2)",
                                    iid, parent)
            await deps.pool.execute(
                "INSERT INTO deliveries (id, event, installation_id, payload) VALUES ($1, 'x', $2, '{}')",
                str(uuid.uuid4()), iid)
        await deps.pool.execute("UPDATE installations SET deleted_at = now() - interval '3 days' WHERE id = $1", gone)

        assert {"deliveries", "repositories", "intake_test_child", "intake_test_parent"} <= set(
            await tables_with_installation_id(deps.pool))
        assert await purge_deleted(deps.pool, grace_days=5) == {}  # still within the grace period
        purged = await purge_deleted(deps.pool, grace_days=2)
        assert purged["intake_test_child"] == 1 and purged["intake_test_parent"] == 1
        assert purged["installations"] >= 1
        for table in ("deliveries", "repositories", "intake_test_child", "intake_test_parent"):
            remaining = {r["installation_id"] for r in await deps.pool.fetch(
                f"SELECT installation_id FROM {table} WHERE installation_id = ANY($1::bigint[])", [keep, gone])}
            assert remaining == {keep}, table
        assert await deps.pool.fetchval("SELECT count(*) FROM installations WHERE id = $1", gone) == 0
    finally:
        await deps.pool.execute("DROP TABLE intake_test_child; DROP TABLE intake_test_parent;")
