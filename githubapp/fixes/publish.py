"""After a fix is decided (a `/triage approve` or `reject` comment, the check run's "Apply fix" button, the
dashboard or the API: the command service decides them all), the pull request says so: the sticky comment's
offer to `/triage approve` becomes who decided what and when (with the commit), and the check run that offered
the "Apply fix" button loses it and leads with the same line (``report.decisions`` writes the text).

Best effort: the decision itself is already made and audited; GitHub answering 404 (comment or check run
deleted) or failing leaves the PR as it was, logged, and never turns the decision into an error."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import gidgethub
from gidgethub.abc import GitHubAPI

from storage import reports

from ..deps import Deps
from ..github import github_of
from ..intake.reload import current_settings
from ..report.check_run import ACTION_EXPLAIN, ACTION_RERUN, CheckAction
from ..report.decisions import FixDecision, check_run_after_decision, comment_after_decision, decision_line
from ..report.links import commit_url

log = logging.getLogger("ci_triage.fixes.publish")

# The buttons a triage check run with failures carries besides "Apply fix" (``check_run.actions_for``); GitHub's
# check-run representation omits ``actions``, so these are what stays when the fix's button goes.
DEFAULT_ACTIONS = [
    CheckAction("Re-run failed jobs", "Run the failed jobs of this run again", ACTION_RERUN).as_json(),
    CheckAction("Explain", "A longer explanation of the failure", ACTION_EXPLAIN).as_json(),
]


async def publish_decision(
    deps: Deps, fix: Any, decision: str, *, by: str, via: str, gh: GitHubAPI | None = None
) -> list[str]:
    """Amend the PR comment and check run for a decided ``fix`` (a ``storage.fixes.FixRow``, read after the
    decision) through ``gh`` (else a client for the fix's installation). Returns what was updated ("comment",
    "check run"), for the log and tests."""
    if fix is None or fix.pr_number is None:
        return []
    if gh is None:
        gh = github_of(deps).for_installation(fix.installation_id)
    settings = current_settings(deps)
    owner, _, name = fix.repo_full_name.partition("/")
    line = decision_line(
        FixDecision(fix.id, decision, fix.status, by=by, via=via, at=datetime.now(UTC), commit_sha=fix.commit_sha,
                    reason=fix.reason),
        commit_url=commit_url(settings.github_url, fix.repo_full_name, fix.commit_sha) if fix.commit_sha else None,
    )
    async with deps.pool.acquire() as conn:
        shown = await reports.get_comment(conn, fix.installation_id, fix.repository_id, fix.pr_number)
        report = await reports.get(conn, fix.installation_id, shown.run_id) if shown and shown.run_id else None
    updated: list[str] = []
    try:
        if shown is not None and shown.comment_id is not None:
            url_vars = {"owner": owner, "repo": name, "comment_id": str(shown.comment_id)}
            comment = await gh.getitem("/repos/{owner}/{repo}/issues/comments/{comment_id}", url_vars=url_vars)
            body = comment_after_decision(str(comment.get("body") or ""), fix.id, line)
            if body is not None:
                await gh.patch("/repos/{owner}/{repo}/issues/comments/{comment_id}", url_vars=url_vars,
                               data={"body": body})
                updated.append("comment")
        if report is not None and report.check_run_id is not None:
            url_vars = {"owner": owner, "repo": name, "check_run_id": str(report.check_run_id)}
            check_run = await gh.getitem("/repos/{owner}/{repo}/check-runs/{check_run_id}", url_vars=url_vars)
            data = check_run_after_decision(check_run, fix.id, line, default_actions=DEFAULT_ACTIONS)
            if data is not None:
                await gh.patch("/repos/{owner}/{repo}/check-runs/{check_run_id}", url_vars=url_vars, data=data)
                updated.append("check run")
    except (gidgethub.GitHubException, OSError) as exc:
        log.warning("could not update the PR after fix %s was decided: %s", fix.id, exc)
    return updated
