"""HistoryService against the real embedded PostgreSQL: assignment, isolation, concurrency, resolution."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import numpy as np
import pytest

from analysis.embedding import HashingEmbedder
from analysis.matching import How
from analysis.types import Failure, FailureKind
from githubapp.history.service import HistoryService, RunContext
from storage import history as q

TIMEOUT = Failure(
    FailureKind.TEST,
    "pytest",
    "AssertionError: timed out waiting for the worker queue to drain after 30 seconds; queue=jobs pending=3",
    test_id="tests/test_queue.py::test_drain",
    file="tests/test_queue.py",
    line=41,
    fingerprint="fp-timeout-1",
)
# The same fault on another run, worded a little differently (another signature template, the same scope).
TIMEOUT_AGAIN = Failure(
    FailureKind.TEST,
    "pytest",
    "AssertionError: timed out waiting for the worker queue to drain after 45 seconds; queue=jobs pending=7 idle",
    test_id="tests/test_queue.py::test_drain",
    file="tests/test_queue.py",
    line=44,
    fingerprint="fp-timeout-2",
)
# Same tool, different fault: a hard negative.
IMPORT = Failure(
    FailureKind.COMPILE,
    "python",
    "ModuleNotFoundError: No module named 'yaml' while importing conftest from tests/conftest.py",
    file="tests/conftest.py",
    line=3,
    fingerprint="fp-import",
)


async def test_first_failure_makes_a_new_pattern(service: HistoryService, installation: int) -> None:
    [m] = await service.record_failures(installation, 1, [TIMEOUT])
    assert m.how is How.NEW and not m.known
    assert m.occurrences == 1 and m.repositories == 1


async def test_same_signature_is_known(service: HistoryService, installation: int) -> None:
    [first] = await service.record_failures(installation, 1, [TIMEOUT])
    [again] = await service.record_failures(installation, 2, [TIMEOUT])
    assert again.how is How.SIGNATURE and again.known
    assert again.pattern_id == first.pattern_id
    assert again.occurrences == 2 and again.repositories == 2


async def test_similar_text_joins_the_nearest_pattern(service: HistoryService, installation: int) -> None:
    [first] = await service.record_failures(installation, 1, [TIMEOUT])
    [similar] = await service.record_failures(installation, 1, [TIMEOUT_AGAIN])
    assert similar.how is How.SIMILAR and similar.known
    assert similar.pattern_id == first.pattern_id
    assert similar.similarity >= service.threshold
    # Its signature now belongs to the pattern: next time it is an exact match.
    [third] = await service.record_failures(installation, 1, [TIMEOUT_AGAIN])
    assert third.how is How.SIGNATURE and third.pattern_id == first.pattern_id


async def test_different_fault_below_threshold_is_new(service: HistoryService, installation: int) -> None:
    [first] = await service.record_failures(installation, 1, [TIMEOUT])
    [other] = await service.record_failures(installation, 1, [IMPORT])
    assert other.how is How.NEW and other.pattern_id != first.pattern_id
    assert other.similarity < service.threshold


async def test_installations_never_see_each_other(
    service: HistoryService, history_pool: asyncpg.Pool, installation: int
) -> None:
    a, b = installation, installation + 1
    [ma] = await service.record_failures(a, 1, [TIMEOUT])
    # B's identical failure (same fingerprint, same text) is new to B.
    [mb] = await service.record_failures(b, 1, [TIMEOUT])
    assert not mb.known and mb.pattern_id != ma.pattern_id and mb.occurrences == 1
    # ... nor listed, counted or found by search for B beyond its own.
    assert [h.pattern_id for h in await service.search(b, TIMEOUT.message, top_k=10)] == [mb.pattern_id]
    async with history_pool.acquire() as conn:
        assert await q.count_failures(conn, b) == 1
        assert await q.count_patterns(conn, b) == 1
        assert [r["id"] for r in await q.list_patterns(conn, b)] == [mb.pattern_id]
        assert await q.get_pattern(conn, b, ma.pattern_id) is None
        assert not await q.set_pattern_status(conn, b, ma.pattern_id, "muted")
    # A third installation with nothing sees nothing.
    assert await service.search(installation + 2, TIMEOUT.message) == []


async def test_concurrent_assignment_creates_one_pattern(history_pool: asyncpg.Pool, installation: int) -> None:
    # Separate services (as separate workers would be), same new failure, at once.
    services = [HistoryService(history_pool, HashingEmbedder()) for _ in range(6)]
    results = await asyncio.gather(*(s.record_failures(installation, 1, [TIMEOUT]) for s in services))
    pattern_ids = {r[0].pattern_id for r in results}
    assert len(pattern_ids) == 1
    assert sum(not r[0].known for r in results) == 1
    async with history_pool.acquire() as conn:
        assert await q.count_patterns(conn, installation) == 1
        row = await q.get_pattern(conn, installation, pattern_ids.pop())
        assert row is not None and row["occurrences"] == 6


async def test_retried_job_is_not_counted_twice(service: HistoryService, installation: int) -> None:
    ctx = RunContext(run_id=77, run_attempt=1, job_id=5, head_sha="abc", branch="main")
    [m1] = await service.record_failures(installation, 1, [TIMEOUT], ctx)
    [m2] = await service.record_failures(installation, 1, [TIMEOUT], ctx)
    assert m2.failure_id == m1.failure_id and m2.occurrences == 1 and m2.how is How.NEW
    # A re-run (attempt 2) is a new occurrence.
    [m3] = await service.record_failures(installation, 1, [TIMEOUT], RunContext(run_id=77, run_attempt=2, job_id=6))
    assert m3.known and m3.occurrences == 2


async def test_a_job_retried_concurrently_records_once(history_pool: asyncpg.Pool, installation: int) -> None:
    ctx = RunContext(run_id=78, run_attempt=1, job_id=5)
    services = [HistoryService(history_pool, HashingEmbedder()) for _ in range(4)]
    results = await asyncio.gather(*(s.record_failures(installation, 1, [TIMEOUT], ctx) for s in services))
    assert len({r[0].failure_id for r in results}) == 1
    async with history_pool.acquire() as conn:
        assert await q.count_failures(conn, installation) == 1


async def test_first_and_last_seen(service: HistoryService, installation: int) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    await service.record_failures(installation, 1, [TIMEOUT], RunContext(seen_at=t0))
    [m] = await service.record_failures(installation, 1, [TIMEOUT], RunContext(seen_at=t0 + timedelta(days=3)))
    assert m.first_seen == t0 and m.last_seen == t0 + timedelta(days=3)


async def test_resolution_is_remembered_and_reported(service: HistoryService, installation: int) -> None:
    failing = RunContext(run_id=1, job_id=1, head_sha="bad1", branch="fix-queue", pr_number=12)
    [m] = await service.record_failures(installation, 1, [TIMEOUT], failing)
    updated = await service.record_resolution(
        installation,
        1,
        fixed_sha="good2",
        pr_number=12,
        branch="fix-queue",
        commits=["good2"],
        changed_files=["src/queue.py"],
        run_id=2,
        by="alice",
    )
    assert updated == [m.pattern_id]
    [again] = await service.record_failures(installation, 1, [TIMEOUT])
    assert again.resolution is not None
    assert again.resolution.fixed_sha == "good2" and again.resolution.changed_files == ("src/queue.py",)
    assert again.resolution.pr_number == 12 and again.resolution.by == "alice"  # who pushed the passing commit
    # Another installation's PR 12 resolution touches nothing of ours.
    assert await service.record_resolution(installation + 1, 1, fixed_sha="x", pr_number=12) == []


async def test_match_carries_flake_score(service: HistoryService, installation: int) -> None:
    now = datetime.now(UTC)
    test_id = TIMEOUT.test_id
    assert test_id is not None
    for run, sha, attempt, outcome in (
        (1, "s1", 1, "failed"),
        (1, "s1", 2, "passed"),
        (2, "s2", 1, "failed"),
        (2, "s2", 2, "passed"),
        (3, "s3", 1, "passed"),
    ):
        await service.record_test_outcomes(
            installation,
            1,
            [(test_id, outcome)],
            head_sha=sha,
            run_id=run,
            run_attempt=attempt,
            job="test",
            recorded_at=now - timedelta(hours=1),
        )
    [m] = await service.record_failures(installation, 1, [TIMEOUT])
    assert m.flaky is not None and m.flaky.flaky
    assert m.flaky.flaky_shas == 2 and m.flaky.pass_on_retry == 2
    scores, quarantine = await service.flaky_tests(installation, 1)
    assert [s.test_id for s in scores] == [test_id]
    assert [s.test_id for s in quarantine] == [test_id]
    # Installation B has no outcomes for the same repository id and test.
    other, _ = await service.flaky_tests(installation + 1, 1)
    assert other == []


async def test_status_must_be_known(service: HistoryService, installation: int) -> None:
    [m] = await service.record_failures(installation, 1, [TIMEOUT])
    assert await service.set_status(installation, m.pattern_id, "muted")
    with pytest.raises(ValueError, match="active, muted or pinned"):
        await service.set_status(installation, m.pattern_id, "deleted")
    [again] = await service.record_failures(installation, 1, [TIMEOUT])
    assert again.status == "muted"


async def test_search_without_tokens_finds_nothing(service: HistoryService, installation: int) -> None:
    await service.record_failures(installation, 1, [TIMEOUT, IMPORT])
    for text in ("", "   ", "!!! ---"):
        assert not (await service.embed([text])).any()  # the zero vector: its cosine is NaN
        assert await service.search(installation, text, top_k=10) == []


async def test_zero_vectors_never_yield_nan_similarity(service: HistoryService, installation: int) -> None:
    [m] = await service.record_failures(installation, 1, [TIMEOUT])
    await service.ready()
    zero = np.zeros(service.embedder.dim, dtype=np.float32)
    async with service.pool.acquire() as conn:
        blank = await q.create_pattern(
            conn,
            installation,
            kind="test",
            tool="pytest",
            title="blank",
            test_id=None,
            text="",
            centroid=zero,
            repository_id=1,
            seen_at=datetime.now(UTC),
        )
        query = (await service.embed([TIMEOUT.message]))[0]
        # A pattern whose centroid is the zero vector is no candidate and no hit, whatever the threshold ...
        assert [p for p, _ in await q.nearest_patterns(conn, installation, query, 10)] == [m.pattern_id]
        hits = await q.search_patterns(conn, installation, query, top_k=10, threshold=-1.0)
        assert [r["id"] for r in hits] == [m.pattern_id]
        # ... and a zero query vector matches nothing at all.
        assert await q.nearest_patterns(conn, installation, zero, 10) == []
        assert await q.search_patterns(conn, installation, zero, top_k=10, threshold=-1.0) == []
        assert await q.search_failures(conn, installation, zero, top_k=10) == []
    assert blank not in [h.pattern_id for h in await service.search(installation, TIMEOUT.message, top_k=10)]
