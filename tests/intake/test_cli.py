"""`ci-triage deliveries [--failed]` and `ci-triage deliveries retry ID` as a user runs them."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from storage import deliveries
from tests.support.services import REPO_ROOT

from .conftest import MakeDeps, process_env


async def ci_triage(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "githubapp", *args, cwd=REPO_ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_list_and_retry(make_deps: MakeDeps, tmp_path: Path) -> None:
    deps = await make_deps()
    env = process_env(deps.settings, deps.settings.queue_name, tmp_path / "cli-data")
    failed, done = str(uuid.uuid4()), str(uuid.uuid4())
    for delivery in (failed, done):
        await deliveries.record(deps.pool, deliveries.IncomingDelivery(
            delivery, "workflow_run", "completed", 98, "octo/cli", "{}"))
    await deliveries.start_attempt(deps.pool, failed)
    await deliveries.fail_attempt(deps.pool, failed, "GitHubBroken: 502 Bad Gateway", final=True)
    await deliveries.start_attempt(deps.pool, done)
    await deliveries.finish(deps.pool, done)

    code, out = await ci_triage(env, "deliveries", "--failed", "--limit", "500")
    assert code == 0, out
    assert failed in out and "GitHubBroken: 502 Bad Gateway" in out and done not in out
    code, out = await ci_triage(env, "deliveries")
    assert code == 0 and done in out

    code, out = await ci_triage(env, "deliveries", "retry", failed)
    assert code == 0, out
    assert "queued again" in out
    row = await deliveries.get(deps.pool, failed)
    assert row is not None and row.status == "pending"
    assert await deps.queue.exists(f"arq:job:{failed}")

    code, out = await ci_triage(env, "deliveries", "retry", "no-such-delivery")
    assert code == 1 and "no delivery" in out
