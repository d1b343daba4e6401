"""The attribution rule (pure): verdict order, generic identities, test totals, one-line reasons."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from analysis.attribution import (
    Evidence,
    RunSeen,
    TestCounts,
    Verdict,
    attribute,
    is_generic,
    summary_counts,
)
from analysis.engine import analyze_bytes
from analysis.types import Failure, FailureKind

TEST = Failure(FailureKind.TEST, "pytest", "assert 2 == 3", test_id="tests/test_app.py::test_total")
RUNNER = Failure(FailureKind.INFRA, "actions", "The runner has received a shutdown signal.")
BARE_EXIT = Failure(FailureKind.UNKNOWN, "generic", "Process completed with exit code 1.")
BASE = RunSeen(41, "a" * 40, "https://github.com/o/r/actions/runs/41", "CI #41", at=datetime(2026, 1, 2, tzinfo=UTC))
SINCE = RunSeen(40, "b" * 40, "https://github.com/o/r/actions/runs/40", "CI #40", at=datetime(2026, 1, 1, tzinfo=UTC))
PASSED = RunSeen(42, "c" * 40, "https://github.com/o/r/actions/runs/42", "CI #42", attempt=2)


@pytest.mark.parametrize(
    ("failure", "evidence", "verdict"),
    [
        (TEST, Evidence(base_branch="main"), Verdict.NEW),  # nothing else: the PR caused it
        (RUNNER, Evidence(base_failing=BASE, passed_on=PASSED), Verdict.INFRA),  # infra comes first
        (TEST, Evidence(job_counts=TestCounts(40, 3)), Verdict.INFRA),  # most tests failed at once
        (TEST, Evidence(job_counts=TestCounts(4, 0)), Verdict.NEW),  # too few to call a mass failure
        (TEST, Evidence(job_counts=TestCounts(6, 10)), Verdict.NEW),  # not most of them
        (TEST, Evidence(base_failing=BASE, passed_on=PASSED), Verdict.PRE_EXISTING),  # before flaky
        (TEST, Evidence(passed_on=PASSED), Verdict.FLAKY),  # failed and passed on one commit
        (TEST, Evidence(flake_score=0.5), Verdict.FLAKY),  # flake score over the threshold
        (TEST, Evidence(flake_score=0.1), Verdict.NEW),  # under it
        (BARE_EXIT, Evidence(passed_on=PASSED, flake_score=0.9), Verdict.NEW),  # generic: never flaky
        (BARE_EXIT, Evidence(base_failing=BASE), Verdict.PRE_EXISTING),  # but it can fail on main too
    ],
)
def test_verdict_order(failure: Failure, evidence: Evidence, verdict: Verdict) -> None:
    assert attribute(failure, evidence, flake_threshold=0.4).verdict is verdict


def test_reasons_and_links_name_the_evidence() -> None:
    pre = attribute(TEST, Evidence(base_branch="main", base_failing=BASE, base_since=SINCE), flake_threshold=0.4)
    assert pre.reason == f"Fails the same way on main (CI #41 at {'a' * 7}), since {'b' * 7}."
    assert [link.url for link in pre.links] == [BASE.url, SINCE.url] and pre.since == SINCE
    broken = Evidence(base_branch="main", base_failing=BASE, base_since=SINCE, push=True)
    push = attribute(TEST, broken, flake_threshold=0.4)
    assert push.reason == f"Broken on main since {'b' * 7} (CI #40)."
    flaky = attribute(TEST, Evidence(passed_on=PASSED), flake_threshold=0.4)
    assert flaky.reason == f"Failed and passed on the same commit {'c' * 7}: CI #42 (attempt 2) passed."
    assert flaky.links[0].url == PASSED.url
    infra = attribute(RUNNER, Evidence(), flake_threshold=0.4)
    assert infra.reason == "Runner, network or service trouble: The runner has received a shutdown signal."


@pytest.mark.parametrize(
    ("message", "generic"),
    [
        ("Process completed with exit code 1.", True),
        ("##[error]Process completed with exit code 2.", True),
        ("make: *** [Makefile:12: test] Error 1", True),  # a wrapper (restatements)
        ("make: *** Error 2", True),  # a bare one
        ("exit status 1", True),
        ("error: command failed with exit code 1", True),
        ("Error", True),
        ("", True),
        ("compiling (Process completed with exit code 1)", False),  # judged with the tool below
        ("ModuleNotFoundError: No module named 'numpy'", False),
        ("error TS2322: Type 'string' is not assignable to type 'number'.", False),
    ],
)
def test_generic_identities(message: str, generic: bool) -> None:
    assert is_generic(Failure(FailureKind.UNKNOWN, "make", message)) is generic


def test_the_engines_exit_code_fallback_is_generic_but_a_test_never_is() -> None:
    # Nothing read like an error: the engine names the failure by the step's last words and its exit code.
    log = b"compiling\n##[error]Process completed with exit code 1.\n"
    (failure,) = analyze_bytes(log).failures
    assert failure.tool == "generic" and is_generic(failure)
    assert not is_generic(Failure(FailureKind.TEST, "generic", "Process completed with exit code 1.", test_id="t"))


@pytest.mark.parametrize(
    ("lines", "counts"),
    [
        (["==== 1 failed, 1 passed in 0.10s ===="], TestCounts(1, 1)),  # pytest
        (["===== 3 failed, 2 passed, 1 warning, 2 errors in 4.2s ====="], TestCounts(5, 2)),
        (["Tests:       7 failed, 3 passed, 10 total"], TestCounts(7, 3)),  # jest
        (["Tests run: 12, Failures: 2, Errors: 1, Skipped: 0"], TestCounts(3, 9)),  # Maven / surefire
        (
            ["Tests run: 3, Failures: 0, Errors: 0, Skipped: 0", "Tests run: 12, Failures: 9, Errors: 0, Skipped: 0"],
            TestCounts(9, 3),  # the last summary wins
        ),
        (["2026-11-24T10:00:00.0053430Z ==== 6 failed in 1.2s ===="], TestCounts(6, 0)),  # Actions timestamps
        (["nothing to see"], None),
    ],
)
def test_test_counts(lines: list[str], counts: TestCounts | None) -> None:
    assert summary_counts(lines) == counts


def test_test_counts_stay_linear_on_hostile_lines() -> None:
    hostile = [
        "=" * 50_000 + " 1 failed," * 5_000 + " in",  # a pytest summary that never ends
        "Tests run: " + "1" * 100_000,
        "Tests:" + " 1 failed," * 20_000,
    ]
    started = time.perf_counter()
    summary_counts(hostile * 5)
    assert time.perf_counter() - started < 1.0
