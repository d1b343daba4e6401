"""Pure parts of the verdict report: the wording for pull requests and pushes, "broken since", and the
re-run rebuild from what the reports table kept."""

from __future__ import annotations

from dataclasses import replace

from analysis.attribution import Link, RunSeen
from githubapp.pipeline.assemble import passed_on_rerun, rerun_items
from githubapp.report.check_run import check_run_output
from githubapp.report.common import group
from githubapp.report.model import TriagedFailure, TriageReport, Verdict
from githubapp.report.verdicts import broken_since_md, evidence_md
from tests.support.report_factories import RUN, failure, report

PASSED = RunSeen(7, "f" * 40, "https://github.com/o/r/actions/runs/7", "CI attempt 2", attempt=2)


def row(n: int, verdict: str = "new", **extra: object) -> dict[str, object]:
    f = failure(n)
    return {"name": f.test_id, "verdict": verdict, "reason": "", "test_id": f.test_id, "pattern_id": n,
            "job": "test (3.11)", "kind": "test", "tool": "pytest", "message": f.message, "file": f.file,
            "line": f.line, "fingerprint": f.fingerprint, "generic": False, **extra}


def test_a_push_reads_as_this_commit_with_the_first_bad_commit() -> None:
    since = RunSeen(40, "b" * 40, "https://github.com/o/r/actions/runs/40", "CI #40")
    item = TriagedFailure(failure(1), Verdict.PRE_EXISTING, job_name="test", reason="Broken on main since bbbbbbb.",
                          since=since)
    push_run = replace(RUN, pr_numbers=(), event="push", head_branch="main")
    push = TriageReport(run=push_run, failures=(item,), compared_branch="main")
    out = check_run_output(push)
    assert out.title == "No failures caused by this commit" and out.conclusion == "neutral"
    assert out.summary.startswith(
        "Caused by this commit: 0 · broken on `main` before it: 1 · flaky: 0 · infrastructure: 0"
    )
    assert "Broken on `main` since `bbbbbbb` ([CI #40](https://github.com/o/r/actions/runs/40))." in out.summary
    # Nothing earlier known: this commit is the first bad one.
    first = TriageReport(run=push_run, failures=(replace(item, verdict=Verdict.NEW, since=None),),
                         compared_branch="main")
    assert f"Broken on `main` since `{RUN.head_sha[:7]}` ([CI #562]({RUN.html_url}))." in (
        check_run_output(first).summary
    )
    # A pull request's report never says "broken since".
    pull = report(item, compared_branch="main")
    assert broken_since_md(pull, group(pull.failures)) is None


def test_evidence_links_are_only_web_links_and_text_is_escaped() -> None:
    item = TriagedFailure(
        failure(1),
        Verdict.FLAKY,
        reason="@octocat <b>passed</b>",
        links=(Link("passed", "javascript:alert(1)"), Link("run", "https://github.com/o/r/actions/runs/1")),
    )
    text = evidence_md(item)
    assert "javascript:" not in text and "[run](https://github.com/o/r/actions/runs/1)" in text
    assert "<b>" not in text and "@\u200doctocat" in text  # no HTML, no mention


def test_a_passing_re_run_turns_the_kept_failures_flaky_but_not_generic_or_infra_ones() -> None:
    rows = [
        row(1),
        row(2, generic=True, test_id=None, file=None, message="Process completed with exit code 1."),
        row(3, verdict="infra", kind="infra"),
    ]
    items = rerun_items(rows, PASSED, failed_attempt=1)
    assert [i.verdict for i in items] == [Verdict.FLAKY, Verdict.NEW, Verdict.INFRA]
    assert items[0].reason == "Failed on attempt 1, passed on attempt 2 of the same commit."
    assert items[0].links[0].url == PASSED.url


def test_a_re_run_of_some_jobs_carries_only_what_passed_now() -> None:
    rows = [row(1), {**row(2), "job": "lint"}, row(3)]
    carried, patterns = passed_on_rerun(
        rows, PASSED, failed_attempt=1, failing_now={3}, passed_jobs={"test (3.11)"}
    )
    assert patterns == [1]  # 2: its job did not pass; 3: it fails again now
    assert [c.verdict for c in carried] == [Verdict.FLAKY]
