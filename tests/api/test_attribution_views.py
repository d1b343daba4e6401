"""Attribution in the REST API (each failure object's verdict and reason, a verdict filter) and the dashboard's
"broken on the default branch" view, scoped per installation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from githubapp.deps import Deps
from storage import attribution

from .conftest import asgi_client, new_key, run_body, seed_installation, sign_in


async def test_failure_objects_carry_their_verdict(deps: Deps) -> None:
    installation = int(uuid.uuid4().int % 10**9) + 10**9
    await seed_installation(deps, installation, "org-v", {installation * 10: "org-v/shop"})
    key, _ = await new_key(deps, installation)
    auth = {"Authorization": f"Bearer {key}"}
    async with asgi_client(deps) as client:
        sent = await client.post("/api/test-runs", json=run_body("verdict-1"), headers=auth)
        assert sent.status_code == 200, sent.text
        (failure,) = (await client.get("/api/failures", headers=auth)).json()["items"]
        assert failure["verdict"] is None and failure["verdictReason"] is None  # ingested: not attributed
        async with deps.pool.acquire() as conn:
            reason = "Fails the same way on main (CI #41 at abc1234), since abc1234."
            await attribution.set_verdicts(conn, installation, [(failure["id"], "pre-existing", reason)])
        listed = (await client.get("/api/failures", params={"verdict": "pre-existing"}, headers=auth)).json()
        assert [(f["id"], f["verdict"], f["verdictReason"]) for f in listed["items"]] == [
            (failure["id"], "pre-existing", reason)
        ]
        assert (await client.get("/api/failures", params={"verdict": "new"}, headers=auth)).json()["items"] == []
        detail = (await client.get(f"/api/failures/{failure['id']}", headers=auth)).json()
        assert detail["verdict"] == "pre-existing"
        client.cookies.update(await sign_in(deps, installations=[installation], repositories=[installation * 10]))
        page = (await client.get(f"/failures/{failure['id']}")).text
        assert '<span class="verdict">pre-existing</span>' in page and reason in page
        client.cookies.clear()
        assert (await client.get("/api/failures", params={"verdict": "mine"}, headers=auth)).status_code == 422
        document = (await client.get("/api/openapi.json")).json()
        props = document["components"]["schemas"]["Failure"]["properties"]
        assert props["verdict"]["anyOf"][0]["enum"] == ["new", "pre-existing", "flaky", "infra"]


async def test_the_broken_default_branch_view(deps: Deps) -> None:
    mine, other = (int(uuid.uuid4().int % 10**9) + 10**9 for _ in range(2))
    await seed_installation(deps, mine, "org-m", {mine * 10: "org-m/app"})
    await seed_installation(deps, other, "org-o", {other * 10: "org-o/app"})
    start = datetime(2026, 11, 1, tzinfo=UTC)

    async def run(installation: int, run_id: int, sha: str, conclusion: str, minutes: int) -> None:
        async with deps.pool.acquire() as conn:
            await attribution.record_run(
                conn,
                installation,
                installation * 10,
                attribution.RunRow(
                    run_id=run_id, run_attempt=1, head_sha=sha, conclusion=conclusion, workflow_id=5,
                    workflow_name="CI", run_number=run_id, event="push", head_branch="main",
                    head_commit_at=start + timedelta(minutes=minutes), analysed=conclusion == "failure",
                    html_url=f"https://github.com/org/app/actions/runs/{run_id}", repo_full_name="org-m/app",
                    default_branch="main",
                ),
            )

    await run(mine, 1, "a" * 40, "success", 0)
    await run(mine, 2, "b" * 40, "failure", 10)  # the first bad commit
    await run(mine, 3, "c" * 40, "failure", 20)
    await run(other, 4, "d" * 40, "failure", 5)  # another installation's: never shown here
    async with asgi_client(deps) as client:
        client.cookies.update(await sign_in(deps, installations=[mine], repositories=[mine * 10]))
        page = await client.get("/broken")
        assert page.status_code == 200
        assert 'href="https://github.com/org/app/actions/runs/2"><code>bbbbbbb</code>' in page.text
        assert '<td data-label="Failing runs">2</td>' in page.text and "ddddddd" not in page.text
        await run(mine, 5, "e" * 40, "success", 30)  # a green run closes it
        assert "No default branch is broken." in (await client.get("/broken")).text
