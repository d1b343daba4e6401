""" "Seen before" you can trust, against the real embedded PostgreSQL and real tool output: the false-match
causes stay apart, occurrences count runs, a PR's own runs are not history, generic failures never match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from analysis.embedding import HashingEmbedder
from analysis.engine import analyze_bytes
from analysis.matching import How
from analysis.types import Failure, FailureKind
from githubapp.cli.history import replay_into
from githubapp.history.service import HistoryService, RunContext, rekey_all

CASES = Path(__file__).parent / "cases"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def failures(name: str) -> list[Failure]:
    return list(analyze_bytes((CASES / f"{name}.log").read_bytes()).failures)


def run(n: int, *, pr: int | None = None, branch: str | None = None, job: int = 1) -> RunContext:
    return RunContext(
        run_id=1000 + n,
        run_number=n,
        job_id=job,
        pr_number=pr,
        branch=branch,
        head_sha=f"sha{n}",
        seen_at=T0 + timedelta(hours=n),
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("jest-discount", "jest-rounds-only"),
        ("pytest-cart", "pytest-stock"),
        ("mypy-a", "mypy-b"),
        ("gcc-codec", "gcc-parse"),
        ("cargo-render", "cargo-parse"),
        ("pytest-yaml", "pytest-dateutil"),
        ("pip-widgets", "pip-gadgets"),
        ("pytest-cart", "pytest-cart-keyerror"),
        # the same assertion getting another value (81 then 162, 81 then 82): what the code returned is the
        # fault's (analysis.signature.assertion_identifiers)
        ("jest-discount", "jest-discount-data"),
        ("pytest-cart", "pytest-cart-data"),
    ],
)
async def test_false_match_causes_are_not_seen_before(
    service: HistoryService, installation: int, first: str, second: str
) -> None:
    a, b = await replay_into(service, [CASES / f"{first}.log", CASES / f"{second}.log"], installation_id=installation)
    assert a.failures and b.failures
    assert b.primary is not None and a.primary is not None
    assert not b.primary["known"] and b.primary["pattern_id"] != a.primary["pattern_id"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("mypy-a", "mypy-a-shifted"),
        ("pytest-yaml", "pytest-yaml-shifted"),
        ("pip-widgets", "pip-widgets-2"),
    ],
)
async def test_the_same_fault_again_is_seen_before_with_its_evidence(
    service: HistoryService, installation: int, first: str, second: str
) -> None:
    a, b = await replay_into(service, [CASES / f"{first}.log", CASES / f"{second}.log"], installation_id=installation)
    assert a.primary is not None and b.primary is not None
    assert b.primary["known"] and b.primary["pattern_id"] == a.primary["pattern_id"]
    assert b.primary["how"] == "signature" and b.primary["matched_input"] == a.input
    assert [e["run_id"] for e in b.primary["earlier"]] == [1]


async def test_repeats_within_a_run_are_one_occurrence_and_never_seen_before(
    service: HistoryService, installation: int
) -> None:
    # Issue 17's 56 mypy errors: a first run never reports "1 new, 55 seen before", and counts do not step.
    errors = failures("mypy-56")
    repeated = errors + [errors[0]] * 5  # the same error printed again (a second mypy invocation)
    first_job = await service.record_failures(installation, 1, repeated, run(1, pr=7))
    other_job = await service.record_failures(installation, 1, errors, run(1, pr=7, job=2))  # same run, job 2
    assert not any(m.known for m in first_job + other_job)
    assert {m.occurrences for m in first_job + other_job} == {1}
    assert len({m.pattern_id for m in first_job}) == len(errors)
    # Another PR's run: each error is seen before, in one earlier run, and counted once more.
    later = await service.record_failures(installation, 1, errors, run(2, pr=8))
    assert all(m.known and m.occurrences == 2 for m in later)
    assert all([o.run_number for o in m.earlier] == [1] for m in later)


async def test_this_prs_earlier_runs_are_reported_apart_never_as_history(
    service: HistoryService, installation: int
) -> None:
    [fault] = failures("pytest-cart")
    [m1] = await service.record_failures(installation, 1, [fault], run(1, pr=5))
    [m2] = await service.record_failures(installation, 1, [fault], run(2, pr=5))
    assert not m1.known and not m2.known and m2.pattern_id == m1.pattern_id and m2.how is How.SIGNATURE
    assert [o.run_number for o in m2.this_change] == [1] and m2.earlier == ()
    assert m2.occurrences == 2
    # On another PR both earlier runs are history; none of them is that PR's own.
    [m3] = await service.record_failures(installation, 1, [fault], run(3, pr=6))
    assert m3.known and [(o.run_number, o.pr_number) for o in m3.earlier] == [(2, 5), (1, 5)]
    assert m3.this_change == ()
    # A re-run attempt of PR 6's run: the first attempt is this PR's, PR 5's runs are history.
    retry = RunContext(run_id=1003, run_attempt=2, run_number=3, job_id=1, pr_number=6, seen_at=T0 + timedelta(hours=4))
    [m4] = await service.record_failures(installation, 1, [fault], retry)
    assert m4.known and [o.run_attempt for o in m4.this_change] == [1]


async def test_history_behind_many_repeats_in_this_prs_run_is_still_found(
    service: HistoryService, installation: int
) -> None:
    """A run repeating one pattern more times than one page of evidence rows holds (this PR's previous run)
    hides no history behind it: the earlier failure on another PR is still "seen before", with its run."""
    [fault] = failures("pytest-cart")
    await service.record_failures(installation, 1, [fault], run(1, pr=4))
    for job in range(1, 131):  # a matrix of 130 jobs, one row each: more rows than two pages of evidence
        await service.record_failures(installation, 1, [fault], run(2, pr=5, job=job))
    [m] = await service.record_failures(installation, 1, [fault], run(3, pr=5))
    assert m.known and [(o.run_number, o.pr_number) for o in m.earlier] == [(1, 4)]
    assert [o.run_number for o in m.this_change] == [2]
    assert m.occurrences == 3  # runs, not rows


async def test_on_the_default_branch_an_earlier_failure_there_is_history(
    service: HistoryService, installation: int
) -> None:
    [fault] = failures("pytest-stock")
    await service.record_failures(installation, 1, [fault], run(1, branch="main"), default_branch="main")
    [m] = await service.record_failures(installation, 1, [fault], run(2, branch="main"), default_branch="main")
    assert m.known and [o.branch for o in m.earlier] == ["main"]
    # ... while a feature branch without a PR keeps its own runs apart.
    await service.record_failures(installation, 1, [fault], run(3, branch="topic"), default_branch="main")
    [t] = await service.record_failures(installation, 1, [fault], run(4, branch="topic"), default_branch="main")
    assert [o.run_number for o in t.this_change] == [3] and [o.run_number for o in t.earlier] == [2, 1]


@pytest.mark.parametrize("name", ["generic-a", "generic-make"])
async def test_generic_failures_are_never_matched(service: HistoryService, installation: int, name: str) -> None:
    [g] = failures(name)
    [m1] = await service.record_failures(installation, 1, [g], run(1))
    [m2] = await service.record_failures(installation, 1, [g], run(2, pr=3))
    assert m1.how is How.GENERIC and m2.how is How.GENERIC
    assert not m2.known and m2.pattern_id != m1.pattern_id and m2.earlier == ()


async def test_generic_logs_are_never_the_same_pattern_in_replay(service: HistoryService, installation: int) -> None:
    logs = [CASES / "generic-a.log", CASES / "generic-b.log", CASES / "generic-make.log", CASES / "generic-a.log"]
    results = await replay_into(service, logs, installation_id=installation)
    patterns = [r.primary["pattern_id"] for r in results if r.primary]
    assert len(set(patterns)) == len(patterns) == 4
    assert results[0].primary is not None and results[0].primary["signature"]["generic"]


async def test_a_match_across_installations_never_happens(service: HistoryService, installation: int) -> None:
    [fault] = failures("pytest-yaml")
    [a] = await service.record_failures(installation, 1, [fault], run(1))
    [b] = await service.record_failures(installation + 1, 1, [fault], run(2))
    assert not b.known and b.pattern_id != a.pattern_id and b.earlier == () and b.occurrences == 1


async def test_patterns_made_before_signatures_are_rekeyed_and_still_match(
    history_pool: asyncpg.Pool, installation: int
) -> None:
    first = HistoryService(history_pool, HashingEmbedder())
    [fault] = failures("mypy-a")
    [old] = await first.record_failures(installation, 1, [fault], run(1))
    async with history_pool.acquire() as conn:  # as a pattern stored before migration 0010 looks
        await conn.execute(
            "UPDATE patterns SET signature_key = NULL, scope_key = NULL, signature = NULL WHERE installation_id = $1",
            installation,
        )
        await conn.execute(
            "DELETE FROM pattern_fingerprints WHERE installation_id = $1 AND fingerprint LIKE 'sig:%'", installation
        )
    restarted = HistoryService(history_pool, HashingEmbedder())  # keys old patterns when it gets ready
    [shifted] = failures("mypy-a-shifted")
    [again] = await restarted.record_failures(installation, 1, [shifted], run(2))
    assert again.pattern_id == old.pattern_id and again.known and again.how is How.SIGNATURE
    async with history_pool.acquire() as conn:
        keyed = await conn.fetchval(
            "SELECT count(*) FROM patterns WHERE installation_id = $1 AND signature_key IS NOT NULL", installation
        )
    assert keyed == 1


async def test_similarity_is_only_compared_within_a_compatible_scope(
    service: HistoryService, installation: int
) -> None:
    # The same words, another test: even at a threshold of 0 no match (scope), while the same test with a
    # reworded message joins by similarity and says so.
    loose = HistoryService(service.pool, HashingEmbedder(), threshold=0.0)
    base = Failure(
        FailureKind.TEST, "jest", "expect(received).toBe(expected) // Object.is equality", test_id="a \u203a b"
    )
    [m1] = await loose.record_failures(installation, 1, [base], run(1))
    other_test = Failure(base.kind, base.tool, base.message, test_id="a \u203a c")
    [m2] = await loose.record_failures(installation, 1, [other_test], run(2))
    assert m2.how is How.NEW and m2.pattern_id != m1.pattern_id
    reworded = Failure(base.kind, base.tool, base.message + " (deep)", test_id="a \u203a b")
    [m3] = await loose.record_failures(installation, 1, [reworded], run(3))
    assert m3.how is How.SIMILAR and m3.pattern_id == m1.pattern_id and m3.known


async def test_rekey_all_recomputes_every_signature_and_keeps_the_patterns(
    history_pool: asyncpg.Pool, service: HistoryService, installation: int
) -> None:
    [m] = await service.record_failures(installation, 1, failures("pip-widgets"), run(1))
    async with history_pool.acquire() as conn:
        await conn.execute(
            "UPDATE patterns SET signature = '{}'::jsonb WHERE installation_id = $1 AND id = $2",
            installation,
            m.pattern_id,
        )
    assert await rekey_all(history_pool) >= 1
    async with history_pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT signature, occurrences FROM patterns WHERE installation_id = $1 AND id = $2",
            installation,
            m.pattern_id,
        )
    assert row["signature"]["identifiers"] == ["package:widgets"] and row["occurrences"] == 1
    [again] = await service.record_failures(installation, 1, failures("pip-widgets-2"), run(2))
    assert again.pattern_id == m.pattern_id and again.known


async def test_signatures_of_an_older_version_are_rekeyed_on_start_from_the_stored_excerpt(
    history_pool: asyncpg.Pool, installation: int
) -> None:
    """After an upgrade changes the signature's definition, a restarted service re-keys the patterns an older
    version keyed, reading the stored excerpt (what the assertion got is there, not in the message)."""
    fault = Failure(
        FailureKind.TEST, "rspec", 'expect(Slugger.unique("post", [])).to eq("post-3")', test_id="Slugger unique"
    )
    excerpt = '  1) Slugger unique\n     Failure/Error: ...\n       expected: "post-3"\n            got: "post2"\n'
    first = HistoryService(history_pool, HashingEmbedder())
    context = RunContext(run_id=1, run_number=1, job_id=1, branch="main", seen_at=T0, excerpts={0: excerpt})
    [old] = await first.record_failures(installation, 1, [fault], context)
    async with history_pool.acquire() as conn:  # as the previous version left it: another key, no version
        await conn.execute(
            """UPDATE patterns SET signature_key = 'old', scope_key = 'old', signature = signature - 'version'
               WHERE installation_id = $1""",
            installation,
        )
        await conn.execute(  # every key it owned (a refined signature's and its base key) of the old definition
            "UPDATE pattern_fingerprints SET fingerprint = 'sig:old-' || fingerprint WHERE installation_id = $1 "
            "AND fingerprint LIKE 'sig:%'",
            installation,
        )
    restarted = HistoryService(history_pool, HashingEmbedder())
    later = RunContext(
        run_id=2, run_number=2, job_id=1, branch="main", seen_at=T0 + timedelta(hours=1), excerpts={0: excerpt}
    )
    [again] = await restarted.record_failures(installation, 1, [fault], later)
    assert again.pattern_id == old.pattern_id and again.how is How.SIGNATURE and again.known
    assert again.signature is not None and 'actual:"post2"' in again.signature["identifiers"]
    # what the assertion expected refines the recomputed key (signature s5 on): the rekeyed pattern owns it
    assert (
        again.signature["refinements"] == ['expected:"post-3"']
        and again.signature["key"] != again.signature["base_key"]
    )
