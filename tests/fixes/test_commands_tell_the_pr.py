"""A fix decided by a `/triage approve` or `reject` comment, or by the check run's "Apply fix" button, is told to
the pull request as a dashboard decision is: the sticky comment stops offering it and says who decided what,
where and when (with the commit), and the check run loses the button and leads with the same line. Real
gidgethub client against the fake GitHub (which checks every request against GitHub's OpenAPI description),
real PostgreSQL and Redis."""

from __future__ import annotations

import itertools

from gidgethub.httpx import GitHubAPI

from analysis.fixes.verify import short_hash
from githubapp.commands.service import handle_issue_comment, handle_requested_action
from githubapp.deps import Deps
from githubapp.report.markdown import escape_text
from storage import fixes as store
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel
from tests.support.payloads import load_payload
from tests.support.triage_report import publish_triage_report

from .conftest import comment_payload
from .test_commands_service import FORMAT_DIFF, approve_text, stored_fix

_runs = itertools.count(7_300_000)


async def _published(deps: Deps, gh: GitHubAPI, repo: GitModel, installation_id: int) -> tuple[store.FixRow, int, int]:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    comment_id, check_run_id = await publish_triage_report(deps, gh, fix, branch=repo.branch, run_id=next(_runs))
    return fix, comment_id, check_run_id


async def test_an_approve_comment_updates_the_comment_and_the_check_run(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    fix, comment_id, check_run_id = await _published(deps, gh, repo, installation_id)
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "applied" and row.commit_sha == repo.head
    body = github.comments[comment_id]["body"]
    assert f"/triage approve {fix.id} " not in body
    said = f"Fix `{fix.id}` was approved by {escape_text('@alice')} in a comment on "  # no ping
    assert said in body and f"committed as [`{repo.head[:7]}`](" in body, body
    check = github.check_runs[check_run_id]
    assert check["output"]["summary"].startswith("✅ " + said)
    assert [a["identifier"] for a in check["actions"]] == ["retry", "explain"]  # the Apply fix button is gone


async def test_a_reject_comment_updates_the_comment_and_the_check_run(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    fix, comment_id, check_run_id = await _published(deps, gh, repo, installation_id)
    text = f"/triage reject {fix.id} we format by hand"
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, text, login="maya"))
    body = github.comments[comment_id]["body"]
    assert f"/triage reject {fix.id}" not in body and f"/triage approve {fix.id} " not in body
    assert f"Fix `{fix.id}` was rejected by {escape_text('@maya')} in a comment on " in body
    assert "Reason: we format by hand" in body
    check = github.check_runs[check_run_id]
    assert check["output"]["summary"].startswith("🚫 ")
    assert [a["identifier"] for a in check["actions"]] == ["retry", "explain"]


async def test_the_check_run_button_updates_the_comment_and_the_check_run(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    fix, comment_id, check_run_id = await _published(deps, gh, repo, installation_id)
    payload = load_payload("check_run", "requested_action")
    payload["installation"] = {"id": installation_id, "node_id": "I"}
    payload["repository"].update(id=repo.repo_id, full_name=repo.full_name)
    payload["check_run"]["app"]["id"] = deps.settings.github_app_id
    payload["check_run"]["pull_requests"][0]["number"] = repo.pr_number
    payload["requested_action"] = {"identifier": f"fix:{fix.id}@{short_hash(fix.diff)}"}
    payload["sender"].update(login="root", type="User")
    await handle_requested_action(gh, deps, payload, delivery_id=f"d-{fix.id}")
    said = f"Fix `{fix.id}` was approved by {escape_text('@root')} with the check run's button on "
    assert said in github.comments[comment_id]["body"]
    assert github.check_runs[check_run_id]["output"]["summary"].startswith("✅ " + said)


async def test_a_refused_approval_leaves_the_pull_request_as_it_was(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    fix, comment_id, check_run_id = await _published(deps, gh, repo, installation_id)
    before = (github.comments[comment_id]["body"], github.check_runs[check_run_id]["output"]["summary"])
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, f"/triage approve {fix.id} 0000000"))
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix), login="eve"))
    assert (github.comments[comment_id]["body"], github.check_runs[check_run_id]["output"]["summary"]) == before
    assert f"/triage approve {fix.id} " in before[0]


async def test_a_report_deleted_on_github_does_not_undo_the_decision(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    fix, comment_id, check_run_id = await _published(deps, gh, repo, installation_id)
    del github.comments[comment_id]
    del github.check_runs[check_run_id]
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, f"/triage reject {fix.id}"))
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "rejected"
    [reply] = github.issue_comments(repo.owner, repo.repo, repo.pr_number)
    assert f"fix `{fix.id}` rejected." in reply["body"]  # the command's own reply says it was done
