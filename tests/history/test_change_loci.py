"""A test failure whose log cannot tell its faults apart is told apart by where its change touched the code,
against the real embedded PostgreSQL: two faults of one test stay two patterns, the same fault recurs, and a
change nobody knows (a push, a known flaky test) never splits a pattern."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from analysis.types import Failure, FailureKind
from githubapp.history.service import HistoryService, RunContext

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEST = "TestApplyCouponRejectsUnknownCode"
# thin: the test's own fixed words, the same for every fault of it
THIN = Failure(FailureKind.TEST, "go-test", "invoice_test.go:41: expected error, got nil", test_id=TEST)
# not thin, yet the same value got by two faults of the code it calls
VALUED = Failure(
    FailureKind.TEST, "go-test", "invoice_test.go:52: Discount = 2000, want 0", test_id="TestRejectedCouponKeepsTotal"
)

LOOKUP = ("invoice/coupon.go#lookup",)
APPLY = ("invoice/coupon.go#Invoice.ApplyCoupon",)


def run(n: int, loci: tuple[str, ...] = (), *, pr: int | None = None) -> RunContext:
    return RunContext(
        run_id=5000 + n,
        run_number=n,
        job_id=1,
        pr_number=pr if pr is not None else 100 + n,
        head_sha=f"sha{n}",
        seen_at=T0 + timedelta(hours=n),
        change_loci=loci,
    )


async def record(service: HistoryService, installation: int, failure: Failure, context: RunContext) -> tuple[int, bool]:
    [m] = await service.record_failures(installation, 1, [failure], context)
    return m.pattern_id, m.known


async def test_two_faults_of_one_test_changed_in_two_functions_are_two_patterns(
    service: HistoryService, installation: int
) -> None:
    for failure in (THIN, VALUED):
        first, _ = await record(service, installation, failure, run(1, LOOKUP))
        [m] = await service.record_failures(installation, 1, [failure], run(2, APPLY))
        other, known = m.pattern_id, m.known
        assert other != first and not known
        # kept apart by its change alone: the report is told which pattern, where it was changed, and its runs
        assert m.extra["apart_from"] == first and m.extra["apart_places"] == list(LOOKUP)
        assert [o.run_id for o in m.extra["apart_earlier"]] == [5001]
        # each fault again, in a change that touched its function among others: seen before, its own pattern
        [m] = await service.record_failures(installation, 1, [failure], run(3, (*APPLY, "invoice/tax.go#rate")))
        assert (m.pattern_id, m.known) == (other, True)
        assert m.extra["same_places"] == list(APPLY)  # what the report says the match rests on, beyond the log
        back, known = await record(service, installation, failure, run(4, LOOKUP))
        assert (back, known) == (first, True)
        installation += 1


async def test_a_change_that_is_not_known_never_splits(service: HistoryService, installation: int) -> None:
    # a run whose change is unknown (a push, files GitHub would not list) joins whatever its log says...
    first, _ = await record(service, installation, THIN, run(1, LOOKUP))
    unknown, known = await record(service, installation, THIN, run(2))
    assert (unknown, known) == (first, True)
    # ...and from then on the pattern holds a member no place explains: a change elsewhere joins it too
    elsewhere, known = await record(service, installation, THIN, run(3, APPLY))
    assert (elsewhere, known) == (first, True)


async def test_a_known_flaky_test_is_not_told_apart_by_its_changes(service: HistoryService, installation: int) -> None:
    now = datetime.now(UTC)
    for number, (sha, attempt, outcome) in enumerate(
        (("s1", 1, "failed"), ("s1", 2, "passed"), ("s2", 1, "failed"), ("s2", 2, "passed"), ("s3", 1, "passed"))
    ):
        await service.record_test_outcomes(
            installation,
            1,
            [(TEST, outcome)],
            head_sha=sha,
            run_id=number // 2 + 1,
            run_attempt=attempt,
            job="test",
            recorded_at=now - timedelta(hours=1),
        )
    first, _ = await record(service, installation, THIN, run(1, LOOKUP))
    other, known = await record(service, installation, THIN, run(2, APPLY))
    assert (other, known) == (first, True)


async def test_a_pull_requests_own_reruns_and_other_tests_are_unaffected(
    service: HistoryService, installation: int
) -> None:
    first, _ = await record(service, installation, THIN, run(1, LOOKUP, pr=7))
    rerun, _ = await record(service, installation, THIN, run(2, LOOKUP, pr=7))
    assert rerun == first
    # a compile error is placed by its file and symbol already: the change's places are not read for it
    error = Failure(FailureKind.COMPILE, "go-build", "undefined: totl", file="invoice/total.go", line=12)
    one, _ = await record(service, installation, error, run(3, LOOKUP))
    two, known = await record(service, installation, error, run(4, APPLY))
    assert (two, known) == (one, True)


async def test_places_stay_within_an_installation(service: HistoryService, installation: int) -> None:
    mine, _ = await record(service, installation, THIN, run(1, LOOKUP))
    theirs, known = await record(service, installation + 1, THIN, run(2, LOOKUP))
    assert theirs != mine and not known


async def test_one_edit_fed_other_data_is_one_fault_and_another_edit_of_that_function_is_not(
    service: HistoryService, installation: int
) -> None:
    def got(value: int) -> Failure:
        message = f"invoice_test.go:52: Discount = {value}, want 0"
        return Failure(FailureKind.TEST, "go-test", message, test_id="TestRejectedCouponKeepsTotal")

    edit = ("invoice/coupon.go#Invoice.ApplyCoupon@aaaa",)
    other_edit = ("invoice/coupon.go#Invoice.ApplyCoupon@bbbb",)

    def changed(n: int, lines: tuple[str, ...]) -> RunContext:
        return replace(run(n, APPLY), change_lines=lines)

    first, _ = await record(service, installation, got(2000), changed(1, edit))
    # the same edit on other data: the code got another value, at the same line of the same function
    [m] = await service.record_failures(installation, 1, [got(1500)], changed(2, edit))
    assert (m.pattern_id, m.known) == (first, True)
    assert m.extra == {"same_places": list(APPLY), "other_value": True}
    # another edit of that function getting another value: another fault, as its value says
    other, known = await record(service, installation, got(900), changed(3, other_edit))
    assert other != first and not known
    # the log alone (no change known) still tells values apart
    alone, known = await record(service, installation, got(1200), run(4))
    assert alone not in (first, other) and not known
