"""The check-run output builder: title, conclusion policy, annotations, buttons, size limits."""

from __future__ import annotations

import pytest

from analysis.fixes.verify import short_hash
from githubapp.report import markdown as md
from githubapp.report.check_run import (
    ACTION_RERUN,
    SUMMARY_MAX,
    TEXT_MAX,
    CheckAction,
    ConclusionPolicy,
    check_run_output,
    conclusion_for,
)
from githubapp.report.model import Resolution, SuggestedFix, Verdict
from tests.support.report_factories import history, report, triaged


@pytest.mark.parametrize(
    ("verdicts", "policy", "expected"),
    [
        ([Verdict.NEW], ConclusionPolicy(), "failure"),  # new failures fail the check
        ([Verdict.FLAKY, Verdict.FLAKY], ConclusionPolicy(), "neutral"),  # only known flakes: neutral
        ([Verdict.FLAKY, Verdict.NEW], ConclusionPolicy(), "failure"),  # the most severe wins
        ([Verdict.PRE_EXISTING], ConclusionPolicy(), "neutral"),  # failing on the base branch too: not the PR's
        ([Verdict.INFRA], ConclusionPolicy(), "neutral"),  # runner trouble: not the PR's
        ([Verdict.PRE_EXISTING], ConclusionPolicy(pre_existing="failure"), "failure"),  # configurable per verdict
        ([Verdict.FLAKY, Verdict.INFRA], ConclusionPolicy(*(("failure",) * 5)), "failure"),  # conclusion: strict
        ([], ConclusionPolicy(), "neutral"),  # nothing identified
        ([], ConclusionPolicy(unidentified="failure"), "failure"),
    ],
)
def test_conclusion_policy(verdicts: list[Verdict], policy: ConclusionPolicy, expected: str) -> None:
    items = [triaged(i, v) for i, v in enumerate(verdicts)]
    assert conclusion_for(report(*items), policy) == expected


def test_quarantined_failures_count_as_flaky() -> None:
    assert conclusion_for(report(triaged(1, Verdict.NEW, quarantined=True))) == "neutral"


def test_policy_rejects_unknown_conclusions() -> None:
    with pytest.raises(ValueError, match="'new'"):
        ConclusionPolicy(new="stale")


@pytest.mark.parametrize(
    ("verdicts", "title"),
    [
        ([Verdict.NEW], "1 failure caused by this pull request"),
        ([Verdict.NEW, Verdict.NEW], "2 failures caused by this pull request"),
        ([Verdict.PRE_EXISTING], "No failures caused by this pull request"),
        ([Verdict.FLAKY, Verdict.FLAKY], "No failures caused by this pull request"),
        (
            [Verdict.NEW, Verdict.PRE_EXISTING, Verdict.FLAKY, Verdict.INFRA],
            "1 failure caused by this pull request (3 more not caused by it)",
        ),
        ([], "Could not identify the failure"),
    ],
)
def test_title(verdicts: list[Verdict], title: str) -> None:
    assert check_run_output(report(*[triaged(i, v) for i, v in enumerate(verdicts)])).title == title


def test_annotations_are_repo_relative_deduplicated_and_most_important_first() -> None:
    items = [
        triaged(1, Verdict.FLAKY, job="a"),
        triaged(2, Verdict.NEW, job="a", line=40),
        triaged(2, Verdict.NEW, job="b", line=40),  # same fingerprint in a second matrix job
        triaged(3, Verdict.NEW, file="/usr/lib/python3.11/unittest/case.py"),  # outside the repo: no annotation
        triaged(4, Verdict.NEW, line=None),  # no line: no annotation
    ]
    out = check_run_output(report(*items))
    assert [(a["path"], a["start_line"], a["annotation_level"]) for a in out.annotations] == [
        ("tests/test_app.py", 40, "failure"),
        ("tests/test_app.py", 12, "warning"),
    ]
    assert out.annotations[0]["title"] == "New, Test (pytest): tests/test_app.py::test_case_2"
    assert "Seen in 5 runs since 2026-01-02" in out.annotations[1]["message"]
    # The summary table lists each distinct failure once, with all its jobs.
    assert out.summary.count("test_case_2") == 1 and "| 2 jobs: a, b |" in out.summary


def test_annotations_at_the_fault_and_at_the_tests_line() -> None:
    root = "/home/runner/work/hello-world/hello-world/"
    raised = triaged(1, file=root + "src/app.py", line=7, test_file="tests/test_app.py", test_line=13)
    same = triaged(2, file="tests/test_app.py", line=20, test_file="tests/test_app.py", test_line=20)
    outside = "/usr/lib/python3.11/json/decoder.py"
    only_test = triaged(3, file=outside, line=3, test_file="tests/test_app.py", test_line=30)
    out = check_run_output(report(raised, same, only_test))
    assert [(a["path"], a["start_line"], a["title"]) for a in out.annotations] == [
        ("src/app.py", 7, "New, Test (pytest): tests/test_app.py::test_case_1 (where it was raised)"),
        ("tests/test_app.py", 13, "New, Test (pytest): tests/test_app.py::test_case_1 (the test's line)"),
        ("tests/test_app.py", 20, "New, Test (pytest): tests/test_app.py::test_case_2"),
        ("tests/test_app.py", 30, "New, Test (pytest): tests/test_app.py::test_case_3"),
    ]
    assert all(a["message"] == "AssertionError: assert 1 == 2" for a in out.annotations[:2])


def test_annotation_batches_of_50_appended_by_later_requests() -> None:
    items = [triaged(i, Verdict.NEW, line=i) for i in range(1, 131)]
    out = check_run_output(report(*items), max_annotations=120)
    assert len(out.annotations) == 120 and out.annotations_total == 130
    bodies = out.requests(completed_at="2026-11-24T10:00:00Z")
    assert [len(b["output"].get("annotations", [])) for b in bodies] == [50, 50, 20]
    assert bodies[0]["status"] == "completed" and bodies[0]["conclusion"] == "failure"
    assert all("conclusion" not in b for b in bodies[1:])
    assert all(b["output"]["title"] == out.title and b["output"]["summary"] for b in bodies)
    assert "Showing 120 of 130 line annotations" in out.summary


def test_no_annotations_still_yields_one_completing_request() -> None:
    out = check_run_output(report())
    bodies = out.requests(completed_at="2026-11-24T10:00:00Z")
    assert len(bodies) == 1 and "annotations" not in bodies[0]["output"]


def test_summary_and_text_are_trimmed_with_a_note() -> None:
    huge = "E" * 3000
    items = [triaged(i, Verdict.NEW, message=huge + str(i), excerpt=(huge,) * 5) for i in range(400)]
    out = check_run_output(report(*items))
    assert len(out.summary) <= SUMMARY_MAX and len(out.text) <= TEXT_MAX
    assert "more not shown (summary size limit)" in out.summary
    assert "more sections not shown (size limit)" in out.text
    assert out.text.count("<details>") == out.text.count("</details>")


def test_actions_respect_github_limits() -> None:
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    fix = SuggestedFix(id="f1a2b3c4", title="Pin the dependency to the last version that worked for everyone",
                       diff=diff)
    out = check_run_output(report(triaged(1, Verdict.NEW), fixes=(fix,)))
    # The button names the diff by its hash, and the check run shows that diff whole.
    assert [a.identifier for a in out.actions] == [f"fix:f1a2b3c4@{short_hash(diff)}", ACTION_RERUN, "explain"]
    assert md.code_block(diff, lang="diff") in out.text and short_hash(diff) in out.text
    for action in out.actions:
        assert len(action.label) <= 20 and len(action.description) <= 40 and len(action.identifier) <= 20
    with pytest.raises(ValueError, match="label"):
        CheckAction("a label that is far too long", "d", "i")


def test_buttons_use_the_triage_command_identifiers() -> None:
    assert [a.identifier for a in check_run_output(report(triaged(1, Verdict.FLAKY))).actions] == ["retry", "explain"]
    # Nothing identified: re-running is all there is to offer.
    assert [a.identifier for a in check_run_output(report(problems=("logs expired",))).actions] == ["retry"]


def test_history_and_problems_appear_in_summary_and_text() -> None:
    item = triaged(1, Verdict.PRE_EXISTING)
    item = type(item)(
        item.failure,
        Verdict.PRE_EXISTING,
        history(3, resolution=Resolution(commit_sha="abcdef123", pr_number=7)),
        job_name="test",
    )
    out = check_run_output(
        report(
            item,
            problems=("Logs for job build have expired.",),
            config_errors=("thresholds.similarity: must be from 0 to 1, got 2",),
        )
    )
    assert "Logs for job build have expired." in out.summary
    assert "thresholds.similarity: must be from 0 to 1, got 2" in out.summary
    assert "Last fixed by PR #7 commit abcdef1" in out.text


def test_log_content_cannot_break_out_of_the_details_text() -> None:
    excerpt = ("```", "</details>", "@octocat <script>alert(1)</script>", "````")
    out = check_run_output(report(triaged(1, Verdict.NEW, excerpt=excerpt)))
    fence_lines = [line for line in out.text.splitlines() if line.startswith("`````")]
    assert len(fence_lines) >= 2  # fence longer than the content's longest backtick run


def test_snapshot_parts_go_to_details_and_images_to_the_first_request() -> None:
    image = {"alt": "/ on the preview", "image_url": "https://s3.example/shot.png", "caption": "/"}
    out = check_run_output(
        report(triaged(1), snapshot_summary="### Preview snapshot\n\n1 route captured", images=(image,))
    )
    assert "### Preview snapshot" in out.text
    bodies = check_run_output(report(*[triaged(i, line=i) for i in range(1, 61)], images=(image,))).requests(
        completed_at="2026-11-24T10:00:00Z"
    )
    assert bodies[0]["output"]["images"] == [image] and "images" not in bodies[1]["output"]


def test_a_fix_too_large_to_show_whole_gets_no_button() -> None:
    # What you approve is what you see: a diff larger than what the check run shows whole is not offered.
    big = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+" + "b" * 7_000 + "\n"
    out = check_run_output(report(triaged(1, Verdict.NEW), fixes=(SuggestedFix(id="f1a2b3c4", title="t", diff=big),)))
    assert not any(a.identifier.startswith("fix:") for a in out.actions)
    assert "b" * 7_000 not in out.text
