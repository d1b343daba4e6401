"""Missed deliveries: list the App's recent deliveries and ask GitHub to redeliver what we never stored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from githubapp.github import GitHubApps, RetryPolicy
from githubapp.intake.reconcile import MAX_REQUESTS_PER_GUID, find_missed, reconcile_deliveries
from storage import deliveries
from tests.support.fake_github import FakeGitHub

from .conftest import MakeDeps

ATTEMPTS = "/app/hook/deliveries/{delivery_id}/attempts"
_ids = iter(range(10_000, 1_000_000))


def attempt(guid: str, status_code: int, *, event: str = "workflow_run", minutes_ago: int = 5,
            redelivery: bool = False) -> dict[str, Any]:
    delivered = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "id": next(_ids), "guid": guid, "delivered_at": delivered.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "redelivery": redelivery, "duration": 0.2, "status": "OK" if status_code < 400 else "Bad Gateway",
        "status_code": status_code, "event": event, "action": "completed", "installation_id": 7,
        "repository_id": 70, "throttled_at": None,
    }


def test_find_missed_rules() -> None:
    lost, recovered, stored, unhandled, asked, writing = (str(uuid.uuid4()) for _ in range(6))
    items = [
        attempt(lost, 502, minutes_ago=9), attempt(lost, 0, minutes_ago=3, redelivery=True),  # failed twice
        attempt(recovered, 500, minutes_ago=8), attempt(recovered, 202, minutes_ago=1, redelivery=True),
        attempt(stored, 504),  # timed out at GitHub's end, but we did store it
        attempt(unhandled, 502, event="push"),  # we would only ignore it
        attempt(asked, 502),  # asked for too often already
        attempt(writing, 202, minutes_ago=2),  # acknowledged moments ago: its commit may still be on its way
    ]
    missed = find_missed(items, stored={stored}, requested={asked: MAX_REQUESTS_PER_GUID})
    assert [m.guid for m in missed] == [lost]
    assert missed[0].github_delivery_id == items[1]["id"]  # the latest attempt is redelivered


def test_acknowledged_deliveries_we_do_not_hold_are_asked_for_again() -> None:
    """What a PostgreSQL crash takes from an asynchronous commit (or a restored backup lacks): GitHub had a 202
    from us, we have no row. Past the grace period it was lost, not in flight, and GitHub still has it."""
    lost, kept, recent, unhandled = (str(uuid.uuid4()) for _ in range(4))
    items = [
        attempt(lost, 202, minutes_ago=11),
        attempt(kept, 202, minutes_ago=12),
        attempt(recent, 202, minutes_ago=1),
        attempt(unhandled, 202, minutes_ago=30, event="push"),
    ]
    missed = find_missed(items, stored={kept}, requested={})
    assert [m.guid for m in missed] == [lost]
    assert find_missed(items, stored={kept}, requested={}, now=datetime.now(UTC) - timedelta(minutes=8)) == []


async def test_reconcile_redelivers_missed_ones_bounded(make_deps: MakeDeps, github: FakeGitHub) -> None:
    deps = await make_deps(github_api_url=github.url, reconcile_max_redeliveries=2)
    deps.services.github = GitHubApps(deps, policy=RetryPolicy(backoff_base=0.01))
    assert deps.settings.github_private_key is not None
    github.verify_app_jwt(deps.settings.github_private_key, 4242)
    await deps.pool.execute("DELETE FROM reconcile_cursor")  # the App's one cursor: another test's is not ours

    missed = [str(uuid.uuid4()) for _ in range(3)]
    stored = str(uuid.uuid4())
    await deliveries.record(deps.pool, deliveries.IncomingDelivery(stored, "workflow_run", "completed", 7,
                                                                   "octo/demo", "{}"))
    items = [attempt(str(uuid.uuid4()), 202, minutes_ago=1) for _ in range(150)]  # two pages of successes
    items += [attempt(guid, 502, minutes_ago=10 + n) for n, guid in enumerate(missed)]
    items += [attempt(stored, 502, minutes_ago=20)]
    items += [attempt(str(uuid.uuid4()), 502, minutes_ago=60 * 72)]  # older than the lookback window
    github.paginate("/app/hook/deliveries", items)
    github.on("POST", ATTEMPTS, status=202, json={})

    assert await reconcile_deliveries({"deps": deps}) == 2  # bounded per run, oldest first
    asked = [int(call.params["delivery_id"]) for call in github.calls_to("POST", ATTEMPTS)]
    by_id = {item["id"]: item["guid"] for item in items}
    assert [by_id[i] for i in asked] == [missed[2], missed[1]]
    listing = github.calls_to("GET", "/app/hook/deliveries")
    assert len(listing) == 2 and listing[1].query.get("cursor")  # followed the cursor link
    assert all(call.headers["authorization"].startswith("Bearer ") for call in listing)

    assert await reconcile_deliveries({"deps": deps}) == 2  # the third, then the oldest again
    for _ in range(MAX_REQUESTS_PER_GUID + 1):
        await reconcile_deliveries({"deps": deps})
    asked = [by_id[int(call.params["delivery_id"])] for call in github.calls_to("POST", ATTEMPTS)]
    assert sorted(set(asked)) == sorted(missed)
    assert all(asked.count(guid) == MAX_REQUESTS_PER_GUID for guid in missed)


@pytest.mark.timeout(600)  # 5,000 redelivery requests through the validating fake GitHub
async def test_a_large_backlog_is_redelivered_without_loss(make_deps: MakeDeps, github: FakeGitHub) -> None:
    """5,000 deliveries missed during an outage among 2,000 that arrived, spread over 40 hours: runs page back
    as far as needed and ask for more as the backlog grows, until every one is redelivered, each once."""
    deps = await make_deps(github_api_url=github.url)  # the default budget: 700 a run
    deps.services.github = GitHubApps(deps, policy=RetryPolicy(backoff_base=0.01))
    assert deps.settings.github_private_key is not None
    github.verify_app_jwt(deps.settings.github_private_key, 4242)
    await deps.pool.execute("DELETE FROM reconcile_cursor")  # the App's one cursor: another test's is not ours
    total = 7_000
    items = []
    for n in range(total):  # newest first, ids falling with time, as GitHub lists them
        failed = n % 7 < 5
        item = attempt(str(uuid.uuid4()), 502 if failed else 202, minutes_ago=1 + n * 40 * 60 // total)
        item["id"] = 10_000_000 - n
        items.append(item)
    missed = {item["guid"] for item in items if item["status_code"] == 502}
    assert len(missed) == 5_000
    async with deps.pool.acquire() as conn, conn.transaction():  # the 2,000 that arrived are ours
        for item in items:
            if item["status_code"] == 202:
                await deliveries.record(conn, deliveries.IncomingDelivery(item["guid"], "workflow_run",
                                                                          "completed", 7, "octo/demo", "{}"))
    github.paginate("/app/hook/deliveries", items, default_per_page=100)
    github.on("POST", ATTEMPTS, status=202, json={})
    by_id = {item["id"]: item["guid"] for item in items}

    asked: list[str] = []
    for _ in range(8):
        before = len(github.calls_to("POST", ATTEMPTS))
        await reconcile_deliveries({"deps": deps})
        now_asked = [by_id[int(c.params["delivery_id"])] for c in github.calls_to("POST", ATTEMPTS)[before:]]
        asked += now_asked
        async with deps.pool.acquire() as conn, conn.transaction():  # GitHub redelivers; this time we store it
            for guid in now_asked:
                await deliveries.record(conn, deliveries.IncomingDelivery(guid, "workflow_run", "completed", 7,
                                                                          "octo/demo", "{}"))
        if set(asked) >= missed:
            break
    assert set(asked) == missed and len(asked) == len(missed)  # none lost, none asked twice
    runs = len(github.calls_to("GET", "/app/hook/deliveries"))
    assert runs < 8 * total / 100 * 0.7  # later runs page back only to what is still unresolved
