"""A triage report as the pipeline publishes it for one suggested fix: the sticky PR comment and the check run
(rendered by the report modules, sent to the fake GitHub through ``gh``) and their rows in the reports tables.
What deciding the fix (dashboard, API, comment, button) then amends."""

from __future__ import annotations

from typing import Any

from githubapp.deps import Deps
from githubapp.report.check_run import CHECK_NAME, check_run_output
from githubapp.report.comment import sticky_comment
from githubapp.report.model import RunInfo, SuggestedFix, TriagedFailure, TriageReport, Verdict
from storage import reports
from storage.fixes import FixRow
from tests.support.report_factories import failure


async def publish_triage_report(deps: Deps, gh: Any, fix: FixRow, *, branch: str, run_id: int) -> tuple[int, int]:
    """(comment id, check run id) of the published report offering ``fix``."""
    assert fix.pr_number is not None
    run = RunInfo(repo=fix.repo_full_name, run_id=run_id, attempt=1, workflow_name="CI", head_sha=fix.head_sha,
                  head_branch=branch, run_number=12, pr_numbers=(fix.pr_number,))
    report = TriageReport(run=run, failures=(TriagedFailure(failure(1), Verdict.NEW, job_name="lint"),), fixes=(
        SuggestedFix(fix.id, fix.title, fix.explanation, fix.confidence, fix.diff, fix.source),))
    body, out = sticky_comment(report), check_run_output(report)
    assert f"/triage approve {fix.id} " in body and any(a.identifier.startswith(f"fix:{fix.id}@") for a in out.actions)
    base = f"/repos/{fix.repo_full_name}"
    comment = await gh.post(f"{base}/issues/{fix.pr_number}/comments", data={"body": body})
    check = await gh.post(f"{base}/check-runs", data={"name": CHECK_NAME, "head_sha": fix.head_sha,
                                                      **out.requests(completed_at="2026-12-01T10:00:00Z")[0]})
    async with deps.pool.acquire() as conn:
        await reports.claim(conn, fix.installation_id, fix.repository_id, run_id=run_id, run_attempt=1,
                            workflow_id=1, workflow_name="CI", head_sha=fix.head_sha, head_branch=branch,
                            pr_numbers=[fix.pr_number], status="failing")
        await reports.set_check_run(conn, fix.installation_id, run_id, 1, int(check["id"]))
        await reports.save_comment(conn, fix.installation_id, fix.repository_id, fix.pr_number,
                                   comment_id=int(comment["id"]), run_id=run_id, run_attempt=1, status="failing")
    return int(comment["id"]), int(check["id"])
