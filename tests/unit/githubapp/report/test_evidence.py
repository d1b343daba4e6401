"""The evidence behind "seen before" in the check run and the comment, and this PR's own runs kept apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from githubapp.pipeline.assemble import evidence
from githubapp.report.check_run import check_run_output
from githubapp.report.comment import sticky_comment
from githubapp.report.model import Apart, Evidence, Sighting, Verdict
from tests.support.report_factories import EARLIER, history, report, triaged

OWN = Sighting(
    run_id=30433600,
    seen_at=datetime(2026, 2, 4, tzinfo=UTC),
    run_number=561,
    run_url="https://github.com/octo-org/hello-world/actions/runs/30433600",
    pr_number=2,
)


def test_seen_before_says_why_and_links_the_earlier_runs() -> None:
    similar = replace(history(3), evidence=Evidence("similar", 0.87, "AssertionError", (EARLIER,)))
    item = replace(triaged(1, Verdict.NEW), history=similar)
    out = check_run_output(report(item))
    assert (
        "Seen before (similarity 0.87 with a compatible pattern): [run #540]"
        "(https://github.com/octo-org/hello-world/actions/runs/30433001) on "
        "[PR #1](https://github.com/octo-org/hello-world/pull/1) 2026-02-03." in out.text
    )
    assert (
        "Seen before (similarity 0.87 with a compatible pattern): run #540 on PR #1 2026-02-03."
        in (out.annotations[0]["message"])
    )
    body = sticky_comment(report(item))
    assert "| similarity 0.87 with a compatible pattern | [run #540](" in body


def test_this_prs_earlier_runs_are_apart_and_never_seen_before() -> None:
    item = replace(triaged(1, Verdict.NEW), same_change=(OWN,))
    out = check_run_output(report(item))
    assert out.title == "1 failure caused by this pull request"
    assert "Also in this PR's [run #561](https://github.com/octo-org/hello-world/actions/runs/30433600)." in out.text
    assert "Also in this PR's run #561." in out.annotations[0]["message"]
    body = sticky_comment(report(item))
    assert "Also in this PR's [run #561](" in body and "Seen before" not in body


def test_a_branch_without_a_pr_and_another_repository_are_said_plainly() -> None:
    own = replace(OWN, pr_number=None, branch="topic")
    other = Sighting(run_id=7, seen_at=datetime(2026, 1, 9, tzinfo=UTC), run_number=12, other_repository=True)
    hostile = Sighting(run_id=8, run_number=13, branch="x<img src=y>@admin")
    known = replace(history(2), evidence=Evidence("signature", 1.0, "x", (other, hostile)))
    item = replace(triaged(1, Verdict.NEW), history=known, same_change=(own,))
    out = check_run_output(report(item))
    assert "Also in this branch's [run #561](" in out.text
    assert "Seen before (same signature): run #12 in another repository 2026-01-09; run #13 on `" in out.text
    body = sticky_comment(report(item))
    assert "run #13 on `x<img src=y>@\u200dadmin`" in body  # a code span: no HTML, the mention neutralised


def test_a_match_by_signature_says_what_it_rests_on_and_a_thin_one_says_so() -> None:
    thin = "only the same test and message: nothing in the log tells its faults apart"
    weak = replace(history(2), evidence=Evidence("signature", 1.0, "t", (EARLIER,), basis=thin, thin=True))
    item = replace(triaged(1, Verdict.NEW), history=weak)
    out = check_run_output(report(item))
    assert f"Seen before (same signature: {thin}): [run #540](" in out.text
    assert f"Seen before (same signature: {thin}): run #540" in out.annotations[0]["message"]
    assert f"| same signature: {thin} |" in sticky_comment(report(item))


def test_evidence_reads_the_basis_from_the_signature_the_history_matched_by() -> None:
    class Match:
        how, similarity, pattern_title, earlier = "signature", 1.0, "t", ()
        signature = {"tool": "go", "kind": "test", "subject": "test:TestCoupon", "identifiers": ["actual:nil"]}

    found = evidence(Match(), repository_id=1, repo_url=None)  # type: ignore[arg-type]
    assert found.thin and found.basis.startswith("only the same test and message")
    Match.signature = {}
    assert evidence(Match(), repository_id=1, repo_url=None).basis == ""  # type: ignore[arg-type]


def test_the_places_a_fork_named_cannot_ping_or_break_the_report() -> None:
    # a fork's PR names its files and functions: the places in "the change touched the same code" are its words
    basis = "same test, same value got, and the change touched the same code: @octo-org/admins.yml#<img src=x>|x"
    sig = Evidence("signature", 1.0, "AssertionError", (EARLIER,), basis=basis)
    item = replace(triaged(1, Verdict.NEW), history=replace(history(3), evidence=sig))
    body = sticky_comment(report(item))
    text = check_run_output(report(item)).text
    for out in (body, text):
        assert "@octo-org/admins" not in out and "<img" not in out
    row = next(line for line in body.splitlines() if "the change touched the same code" in line)
    assert row.replace("\\|", "").count("|") == 6  # five cells: the table still stands


def test_a_failure_kept_apart_by_its_change_shows_the_other_runs_without_claiming_them() -> None:
    apart = Apart((EARLIER,), ("invoice/coupon.go#lookup",))
    item = replace(triaged(1, Verdict.NEW), apart=apart)
    body = sticky_comment(report(item))
    assert "### 🔁 Seen before" not in body
    assert (
        "Not seen before: this test failed the same way in [run #540]"
        "(https://github.com/octo-org/hello-world/actions/runs/30433001) on "
        "[PR #1](https://github.com/octo-org/hello-world/pull/1) 2026-02-03, after a change to other code "
        "(invoice/coupon.go#lookup); this change touched other code." in body
    )
    out = check_run_output(report(item))
    assert "Not seen before: this test failed the same way in [run #540](" in out.text
    assert (
        "Not seen before: this test failed the same way in run #540 on PR #1 2026-02-03, after a change to other "
        "code (invoice/coupon.go#lookup); this change touched other code." in out.annotations[0]["message"]
    )
