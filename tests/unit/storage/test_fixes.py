"""storage.fixes against the real embedded PostgreSQL."""

import itertools
import re
from typing import Any

import asyncpg

from storage import fixes as store

_ids = itertools.count(9_000_000)


def ids() -> tuple[int, int]:
    return next(_ids), next(_ids)


async def save(pool: asyncpg.Pool, inst: int, repo: int, **changes: Any) -> store.FixRow:
    fields: dict[str, Any] = dict(
        installation_id=inst,
        repository_id=repo,
        repo_full_name="octo/demo",
        pr_number=7,
        head_sha="a" * 40,
        source="rule",
        rule="ruff-format",
        title="t",
        explanation="e",
        confidence=0.9,
        score=0.9,
        diff="--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n",
        fingerprint="fp",
    )
    fields.update(changes)
    return await store.save_fix(pool, **fields)


async def test_ids_are_short_hex_and_the_same_suggestion_keeps_its_id(pool: asyncpg.Pool) -> None:
    inst, repo = ids()
    first = await save(pool, inst, repo)
    assert re.fullmatch(r"[0-9a-f]{8}", first.id)
    again = await save(pool, inst, repo)
    assert again.id == first.id
    other = await save(pool, inst, repo, diff="--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+c\n")
    assert other.id != first.id


async def test_installations_never_see_each_others_fixes(pool: asyncpg.Pool) -> None:
    inst, repo = ids()
    fix = await save(pool, inst, repo)
    assert await store.get_fix(pool, inst, fix.id) is not None
    assert await store.get_fix(pool, inst + 1, fix.id) is None
    assert not await store.set_fix_status(pool, inst + 1, fix.id, status="rejected", by="mallory")


async def test_a_fix_is_decided_once(pool: asyncpg.Pool) -> None:
    inst, repo = ids()
    fix = await save(pool, inst, repo)
    assert await store.set_fix_status(pool, inst, fix.id, status="applied", by="alice", commit_sha="c" * 40)
    assert not await store.set_fix_status(pool, inst, fix.id, status="applied", by="bob", commit_sha="d" * 40)
    row = await store.get_fix(pool, inst, fix.id)
    assert row is not None and (row.status, row.decided_by, row.commit_sha) == ("applied", "alice", "c" * 40)


async def test_outcomes_and_stats(pool: asyncpg.Pool) -> None:
    inst, repo = ids()
    worked = await save(pool, inst, repo, head_sha="1" * 40)
    failed = await save(pool, inst, repo, head_sha="2" * 40, source="llm", rule="llm")
    rejected = await save(pool, inst, repo, head_sha="3" * 40, source="llm", rule="llm")
    await store.set_fix_status(pool, inst, worked.id, status="applied", by="a", commit_sha="e" * 40)
    await store.set_fix_status(pool, inst, failed.id, status="applied", by="a", commit_sha="f" * 40)
    await store.set_fix_status(pool, inst, rejected.id, status="rejected", by="a", reason="no")
    assert await store.record_fix_outcomes(pool, inst, repo, "e" * 40, True) == 1
    assert await store.record_fix_outcomes(pool, inst, repo, "f" * 40, False) == 1
    assert await store.record_fix_outcomes(pool, inst, repo, "f" * 40, True) == 0  # a pass never hides a failure
    assert await store.record_fix_outcomes(pool, inst, repo, "e" * 40, True) == 0  # already worked
    stats = {s.source: s for s in await store.fix_stats(pool, inst)}
    assert stats["rule"].success_rate == 1.0 and stats["rule"].approval_rate == 1.0
    assert stats["llm"].success_rate == 0.0 and stats["llm"].approval_rate == 0.5
    perf = await store.rule_performance(pool, inst)
    assert perf["llm:llm"] == store.RulePerformance(0, 1)
    assert await store.failed_diff_hashes(pool, inst, [store.diff_hash(failed.diff)]) == {store.diff_hash(failed.diff)}


async def test_each_comment_runs_once(pool: asyncpg.Pool) -> None:
    inst, repo = ids()
    first = await store.claim_execution(pool, inst, "comment", "123", repository_id=repo, actor="a")
    assert isinstance(first, store.Claim) and not first.taken_over
    # While the holder's lease runs, others wait; when it released the lease (a transient error), a retry
    # takes over with what was recorded; once finished, nobody runs it again.
    assert isinstance(await store.claim_execution(pool, inst, "comment", "123", repository_id=repo, actor="a"),
                      store.Busy)
    await store.record_command_outcome(pool, inst, "comment", "123", "c0", {"result": "ok", "message": "m"})
    await store.release_execution(pool, inst, "comment", "123")
    again = await store.claim_execution(pool, inst, "comment", "123", repository_id=repo, actor="a")
    assert isinstance(again, store.Claim) and again.taken_over and again.outcomes["c0"]["result"] == "ok"
    await store.finish_execution(pool, inst, "comment", "123")
    assert await store.claim_execution(pool, inst, "comment", "123", repository_id=repo, actor="a") is None


async def test_quarantine_lifecycle(pool: asyncpg.Pool) -> None:
    inst, repo = ids()
    await store.quarantine_test(pool, installation_id=inst, repository_id=repo, test_id="t::a", by="a", days=3)
    await store.quarantine_test(pool, installation_id=inst, repository_id=repo, test_id="t::a", by="b", days=9)
    [q] = await store.active_quarantines(pool, inst, repo)
    assert q.test_id == "t::a" and q.created_by == "b"
    assert await store.active_quarantines(pool, inst + 1, repo) == []
    # An expired quarantine is no longer active, and a new one can start.
    await pool.execute(
        "UPDATE quarantines SET expires_at = now() - interval '1 minute' WHERE installation_id = $1", inst
    )
    assert await store.active_quarantines(pool, inst, repo) == []
    await store.quarantine_test(pool, installation_id=inst, repository_id=repo, test_id="t::a", by="c", days=1)
    assert [q.created_by for q in await store.active_quarantines(pool, inst, repo)] == ["c"]
    assert await store.end_quarantine(pool, installation_id=inst, repository_id=repo, test_id="t::a", by="d")
    assert not await store.end_quarantine(pool, installation_id=inst, repository_id=repo, test_id="t::a", by="d")
    assert await store.active_quarantines(pool, inst, repo) == []


async def test_a_later_failing_workflow_marks_the_fix_failed(pool: asyncpg.Pool) -> None:
    inst, repo = ids()
    fix = await save(pool, inst, repo)
    await store.set_fix_status(pool, inst, fix.id, status="applied", by="a", commit_sha="9" * 40)
    assert await store.record_fix_outcomes(pool, inst, repo, "9" * 40, True) == 1  # lint workflow passed
    assert await store.record_fix_outcomes(pool, inst, repo, "9" * 40, False) == 1  # tests workflow failed
    row = await store.get_fix(pool, inst, fix.id)
    assert row is not None and row.outcome == "failed"
