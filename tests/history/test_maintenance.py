"""Retention and re-embedding against the real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from analysis.embedding import HashingEmbedder
from analysis.types import Failure, FailureKind
from githubapp.deps import Deps, Services
from githubapp.history.service import HistoryService, RunContext
from githubapp.settings import Settings
from githubapp.worker.registry import cron_jobs
from githubapp.worker.retention import purge_expired
from storage import db
from storage import history as q
from storage.embedded_pg import EmbeddedPostgres

from .conftest import fresh_database

NOW = datetime.now(UTC)
RARE = Failure(
    FailureKind.CRASH,
    "node",
    "Segmentation fault in libvips while resizing avatar.png",
    file="src/avatar.js",
    fingerprint="fp-rare",
)
OTHER = Failure(
    FailureKind.TEST,
    "jest",
    "expect(received).toBe(expected) Expected: 200 Received: 503",
    test_id="api.test.ts > health",
    fingerprint="fp-health",
)


def _deps(pool: asyncpg.Pool, tmp_path: Path, **services: Any) -> Deps:
    settings = Settings(data_dir=tmp_path, log_retention_days=30, failure_retention_days=90)
    return Deps(settings=settings, pool=pool, queue=None, http=None, services=Services(**services))  # type: ignore[arg-type]


async def test_retention_expires_logs_then_failures_but_keeps_patterns(
    history_pool: asyncpg.Pool, installation: int, tmp_path: Path
) -> None:
    service = HistoryService(history_pool, HashingEmbedder())
    old = RunContext(seen_at=NOW - timedelta(days=100), excerpts={0: "raw log line"})
    middle = RunContext(seen_at=NOW - timedelta(days=40), excerpts={0: "raw log line"})
    [rare] = await service.record_failures(installation, 1, [RARE], old)
    [mid] = await service.record_failures(installation, 1, [OTHER], middle)
    await service.record_test_outcomes(
        installation,
        1,
        [("api.test.ts > health", "failed")],
        head_sha="a",
        recorded_at=NOW - timedelta(days=100),
    )
    await service.record_test_outcomes(installation, 1, [("api.test.ts > health", "passed")], head_sha="b")
    # Another installation's old failure: purged too, but counted in its own scope.
    await service.record_failures(installation + 1, 1, [RARE], old)

    hook_calls: list[tuple[datetime, datetime]] = []

    async def hook(deps: Deps, logs_before: datetime, failures_before: datetime) -> dict[str, int]:
        hook_calls.append((logs_before, failures_before))
        return {"artifacts": 3}

    async def broken_hook(deps: Deps, logs_before: datetime, failures_before: datetime) -> dict[str, int]:
        raise RuntimeError("store down")

    purged_at = datetime.now(UTC)  # NOW is the import time: a long suite runs this test many minutes later
    totals = await purge_expired({"deps": _deps(history_pool, tmp_path, retention_hooks=[broken_hook, hook])})
    assert totals["failures"] >= 2 and totals["artifacts"] == 3 and totals["test_outcomes"] >= 1
    logs_before, failures_before = hook_calls[0]
    assert abs((purged_at - logs_before) - timedelta(days=30)) < timedelta(minutes=5)
    assert abs((purged_at - failures_before) - timedelta(days=90)) < timedelta(minutes=5)

    async with history_pool.acquire() as conn:
        assert await q.count_failures(conn, installation) == 1  # the 40-day-old one stays ...
        excerpt = await conn.fetchval(
            "SELECT excerpt FROM failures WHERE installation_id = $1 AND id = $2",
            installation,
            mid.failure_id,
        )
        assert excerpt is None  # ... without its raw log lines
        outcomes = await q.test_outcomes(conn, installation, 1, since=NOW - timedelta(days=365))
        assert [o.head_sha for o in outcomes] == ["b"]
        assert await q.count_patterns(conn, installation) == 2  # patterns stay

    # The rare failure still matches after its failure row and logs are gone.
    [again] = await service.record_failures(installation, 1, [replace(RARE, fingerprint="fp-rare-2")])
    assert again.known and again.pattern_id == rare.pattern_id


async def test_purge_is_a_nightly_cron_job() -> None:
    assert "purge_expired" in [job.name for job in cron_jobs()]


async def test_reembed_retypes_vectors_and_keeps_matching(pg_server: EmbeddedPostgres) -> None:
    url = await fresh_database(pg_server)
    pool = await db.create_pool(url, max_size=4)
    try:
        small = HistoryService(pool, HashingEmbedder(dim=64))
        [first] = await small.record_failures(7, 1, [RARE])
        await small.record_failures(7, 1, [OTHER])
        # Expire RARE's failure row: its centroid must then come from the representative text.
        async with pool.acquire() as conn:
            await conn.execute("DELETE FROM failures WHERE installation_id = 7 AND id = $1", first.failure_id)

        # A service configured with another embedder refuses to mix vector spaces.
        big = HistoryService(pool, HashingEmbedder(dim=256))
        with pytest.raises(q.EmbedderMismatchError, match="reembed"):
            await big.record_failures(7, 1, [RARE])

        counts = await big.reembed(HashingEmbedder(dim=256))
        assert counts == {"failures": 1, "patterns": 2}
        async with pool.acquire() as conn:
            assert await q.active_embedder(conn) == ("hashing-v1-256", 256)
            typmod = await conn.fetchval(
                "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'failures'::regclass AND attname = 'embedding'"
            )
            assert typmod == 256
            indexes = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes")}
            assert set(q.HNSW_INDEXES) <= indexes
        [again] = await big.record_failures(7, 1, [replace(RARE, fingerprint="fp-rare-3")])
        assert again.known and again.pattern_id == first.pattern_id and again.similarity > 0.99
    finally:
        await pool.close()


async def test_recommendations_from_recorded_history(history_pool: asyncpg.Pool, installation: int) -> None:
    service = HistoryService(history_pool, HashingEmbedder())
    test = "tests/test_billing.py::test_refund"
    for sha in ("c1", "c2"):
        await service.record_changed_files(installation, 5, head_sha=sha, files=["src/billing/refund.py"])
        await service.record_test_outcomes(
            installation,
            5,
            [(test, "failed"), ("tests/test_ok.py::t", "passed")],
            head_sha=sha,
            run_id=1,
            job="test",
        )
    result = await service.recommend_tests(installation, 5, ["src/billing/refund.py"])
    assert result.tests[0].test_name == test and "failed 2x" in result.tests[0].reason
    assert result.risk.value == "high"  # tests failed here repeatedly
    assert set(result.as_json()) == {"risk", "riskReason", "tests"}
    # Installation B, same repository id: nothing of A's history.
    other = await service.recommend_tests(installation + 1, 5, ["src/billing/refund.py"])
    assert other.tests == [] and other.risk.value == "medium"
