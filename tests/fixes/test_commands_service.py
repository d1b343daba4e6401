"""Command service with the real gidgethub client against the fake GitHub, real PostgreSQL and Redis."""

from __future__ import annotations

import pytest
from gidgethub.httpx import GitHubAPI

from analysis.fixes.patch import unified_diff
from analysis.fixes.verify import short_hash
from githubapp.commands.service import handle_issue_comment, handle_requested_action
from githubapp.deps import Deps
from storage import fixes as store
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel
from tests.support.payloads import load_payload

from .conftest import comment_payload

GIT_WRITES = (
    ("POST", "/repos/{owner}/{repo}/git/blobs"),
    ("POST", "/repos/{owner}/{repo}/git/trees"),
    ("POST", "/repos/{owner}/{repo}/git/commits"),
    ("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}"),
)


def git_writes(github: FakeGitHub) -> int:
    return sum(len(github.calls_to(m, p)) for m, p in GIT_WRITES)


def reactions(github: FakeGitHub) -> list[str]:
    calls = github.calls_to("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions")
    return [c.json["content"] for c in calls]


def replies(github: FakeGitHub, repo: GitModel) -> list[str]:
    return [c["body"] for c in github.issue_comments(repo.owner, repo.repo, repo.pr_number)]


async def stored_fix(deps: Deps, repo: GitModel, installation_id: int, diff: str, **changes: object) -> store.FixRow:
    fields: dict[str, object] = dict(
        installation_id=installation_id,
        repository_id=repo.repo_id,
        repo_full_name=repo.full_name,
        pr_number=repo.pr_number,
        head_sha=repo.head,
        source="rule",
        rule="ruff-format",
        title="Apply `ruff format`",
        explanation="formatting",
        confidence=0.9,
        score=0.9,
        diff=diff,
        fingerprint="fp1",
    )
    fields.update(changes)
    return await store.save_fix(deps.pool, **fields)  # type: ignore[arg-type]


def approve_text(fix: store.FixRow) -> str:
    """The approve command as the comment shows it: the fix and the short hash of its diff."""
    return f"/triage approve {fix.id} {short_hash(fix.diff)}"


FORMAT_DIFF = unified_diff("import os\nx=1\ny = 2\n", "import os\nx = 1\ny = 2\n", "src/app.py")


async def test_collaborator_approve_creates_exactly_one_commit(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    before = repo.head
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))

    # Exactly one blob (the changed file), one tree on top of the head's tree, one commit, one ref update.
    [blob] = github.calls_to("POST", "/repos/{owner}/{repo}/git/blobs")
    [tree] = github.calls_to("POST", "/repos/{owner}/{repo}/git/trees")
    [commit] = github.calls_to("POST", "/repos/{owner}/{repo}/git/commits")
    [ref] = github.calls_to("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
    assert blob.json["encoding"] == "base64"
    assert tree.json["base_tree"] == repo.commits[before]["tree"]
    [entry] = tree.json["tree"]
    assert (entry["path"], entry["mode"], entry["type"]) == ("src/app.py", "100644", "blob")
    assert repo.blobs[entry["sha"]] == b"import os\nx = 1\ny = 2\n"
    assert commit.json["parents"] == [before]
    assert f"ci-triage fix {fix.id}" in commit.json["message"] and "Approved-by: alice" in commit.json["message"]
    assert ref.path == f"/repos/octo/demo/git/refs/heads/{repo.branch}" and ref.json["force"] is False

    # The branch now has the formatted file and nothing else changed (the executable keeps its mode).
    assert repo.head != before and repo.commits[repo.head]["parents"] == [before]
    assert repo.files_at(repo.head) == {**repo.files_at(before), "src/app.py": "import os\nx = 1\ny = 2\n"}
    assert repo.modes_at(repo.head)["scripts/run.sh"] == "100755"

    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and (row.status, row.commit_sha, row.decided_by) == ("applied", repo.head, "alice")
    assert reactions(github) == ["eyes", "rocket"]
    [reply] = replies(github, repo)
    assert f"committed `{repo.head[:7]}`" in reply
    [entry] = await store.audit_entries(deps.pool, installation_id)
    assert (entry.actor, entry.action, entry.target, entry.result) == ("alice", "command.approve", fix.id, "ok")
    assert entry.detail["commit_sha"] == repo.head


async def test_non_collaborator_is_refused_and_nothing_changes(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    before = repo.head
    await handle_issue_comment(
        gh, deps, comment_payload(repo, installation_id, approve_text(fix), login="eve")
    )
    assert git_writes(github) == 0 and repo.head == before
    [reply] = replies(github, repo)
    assert "write, maintain or admin" in reply and "`triage`" in reply
    assert reactions(github) == ["eyes", "confused"]
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "suggested"
    [entry] = await store.audit_entries(deps.pool, installation_id)
    assert (entry.actor, entry.result) == ("eve", "denied")


async def test_maintain_role_and_custom_write_roles_may_approve(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    repo.permissions["custom"] = ("write", "release-manager")  # custom role built on write
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    await handle_issue_comment(
        gh, deps, comment_payload(repo, installation_id, f"/triage reject {fix.id} meh", login="custom")
    )
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "rejected"


async def test_moved_head_with_a_conflicting_change_is_refused(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    moved = repo.commit({"src/app.py": "import os\nx=10\ny = 2\n"}, message="someone pushed")
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    assert git_writes(github) == 0 and repo.head == moved
    [reply] = replies(github, repo)
    assert "the branch moved" in reply and "no longer applies" in reply
    assert reactions(github) == ["eyes", "confused"]
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "failed"


async def test_moved_head_without_conflict_is_applied_on_the_new_head(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    moved = repo.commit({"README.md": "docs\n"}, message="unrelated push")
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    assert repo.commits[repo.head]["parents"] == [moved]
    assert repo.files_at(repo.head)["src/app.py"] == "import os\nx = 1\ny = 2\n"
    assert repo.files_at(repo.head)["README.md"] == "docs\n"


async def test_a_push_racing_the_ref_update_is_retried_not_forced(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    github.fail_next(
        "PATCH",
        f"/repos/octo/demo/git/refs/heads/{repo.branch}",
        status=422,
        json={"message": "Update is not a fast forward"},
    )
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    refs = github.calls_to("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
    assert len(refs) == 2 and all(c.json["force"] is False for c in refs)
    assert repo.files_at(repo.head)["src/app.py"] == "import os\nx = 1\ny = 2\n"


async def test_reject_records_the_reason(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    await handle_issue_comment(
        gh,
        deps,
        comment_payload(
            repo, installation_id, f"/triage reject {fix.id} we format with `black`, not ruff", login="maya"
        ),
    )
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and (row.status, row.decided_by) == ("rejected", "maya")
    assert row.reason == "we format with `black`, not ruff"
    [entry] = await store.audit_entries(deps.pool, installation_id)
    assert entry.detail["reason"] == row.reason and entry.result == "ok"
    # Approving a rejected fix afterwards is refused.
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    assert git_writes(github) == 0
    assert "was rejected by @\u200dmaya" in replies(github, repo)[-1]  # named, not pinged again


async def test_retry_reruns_the_latest_failed_run_of_the_head(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    repo.add_failed_run(101, created_at="2026-04-23T04:00:00Z")
    repo.add_failed_run(102, created_at="2026-04-23T05:00:00Z")
    repo.add_failed_run(103, created_at="2026-04-23T06:00:00Z", conclusion="success")
    repo.add_failed_run(104, head_sha="f" * 40, created_at="2026-04-23T07:00:00Z")  # another commit
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, "/triage retry"))
    [rerun] = github.calls_to("POST", "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs")
    assert rerun.params["run_id"] == "102"
    assert "re-running the failed jobs" in replies(github, repo)[0]


async def test_retry_without_a_failed_run_says_so(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, "/triage retry"))
    assert github.calls_to("POST", "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs") == []
    assert "no failed workflow run" in replies(github, repo)[0]


async def test_quarantine_and_unquarantine(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    await handle_issue_comment(
        gh, deps, comment_payload(repo, installation_id, "/triage quarantine tests/test_api.py::test_login --days 5")
    )
    [q] = await store.active_quarantines(deps.pool, installation_id, repo.repo_id)
    assert q.test_id == "tests/test_api.py::test_login" and q.created_by == "alice"
    assert 4.9 < (q.expires_at - q.created_at).total_seconds() / 86400 < 5.1
    await handle_issue_comment(
        gh, deps, comment_payload(repo, installation_id, "/triage unquarantine tests/test_api.py::test_login")
    )
    assert await store.active_quarantines(deps.pool, installation_id, repo.repo_id) == []
    assert reactions(github) == ["eyes", "rocket", "eyes", "rocket"]


async def test_each_comment_runs_once(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    payload = comment_payload(repo, installation_id, "/triage quarantine flaky::test")
    await handle_issue_comment(gh, deps, payload)
    await handle_issue_comment(gh, deps, payload)  # a redelivery
    assert len(replies(github, repo)) == 1
    assert len(await store.audit_entries(deps.pool, installation_id)) == 1


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        ("> /triage approve 1a2b3c4d", {}),  # quoted
        ("```\n/triage approve 1a2b3c4d\n```", {}),  # fenced code
        ("    /triage approve 1a2b3c4d", {}),  # indented code
        ("/triage approve 1a2b3c4d", {"user_type": "Bot", "login": "other-app[bot]"}),  # bot author
        ("/triage approve 1a2b3c4d", {"action": "edited"}),  # an edit
    ],
)
async def test_hidden_bot_or_edited_commands_do_nothing(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
    body: str,
    kwargs: dict[str, str],
) -> None:
    await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, body, **kwargs))
    assert github.calls == [] and await store.audit_entries(deps.pool, installation_id) == []


async def test_a_one_megabyte_comment_is_refused_with_a_clear_reply(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    body = f"/triage approve {fix.id} {short_hash(fix.diff)}\n" + ("A" * 1023 + "\n") * 1024
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, body))
    assert git_writes(github) == 0
    [reply] = replies(github, repo)
    assert "characters long" in reply and len(reply) < 1000
    assert reactions(github) == ["eyes", "confused"]
    [entry] = await store.audit_entries(deps.pool, installation_id)
    assert entry.result == "refused"


@pytest.mark.parametrize(
    ("path", "why"),
    [("../outside.txt", "'..'"), ("/etc/passwd", "absolute"), (".github/workflows/ci.yml", "workflow")],
)
async def test_hostile_diffs_are_refused_on_approve(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
    path: str,
    why: str,
) -> None:
    diff = f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n"
    fix = await stored_fix(deps, repo, installation_id, diff)  # as if the database had been tampered with
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    assert git_writes(github) == 0
    [reply] = replies(github, repo)
    assert "was not applied" in reply and why in reply


async def test_unknown_fix_and_fix_of_another_installation(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    other = await stored_fix(deps, repo, installation_id + 100_000, FORMAT_DIFF)
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(other)))
    assert git_writes(github) == 0
    assert "there is no fix" in replies(github, repo)[0]


async def test_fork_without_push_access_gets_review_suggestions(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    repo.fork, repo.maintainer_can_modify, repo.fork_writable = "someone/demo", True, False
    repo.serve()
    repo.pr_files_patch["src/app.py"] = "@@ -1,3 +1,3 @@\n import os\n-x = 1\n+x=1\n y = 2"
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    before = repo.head
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    assert repo.head == before and github.calls_to("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}") == []
    [review] = github.calls_to("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")
    assert review.json["commit_id"] == before and review.json["event"] == "COMMENT"
    assert review.json["comments"] == [
        {"path": "src/app.py", "line": 2, "side": "RIGHT", "body": "```suggestion\nx = 1\n```"}
    ]
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "suggested_in_review"


async def test_fork_that_allows_maintainer_edits_gets_the_commit(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    repo.fork, repo.maintainer_can_modify, repo.fork_writable = "someone/demo", True, True
    repo.serve()
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    [ref] = github.calls_to("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
    assert ref.path.startswith("/repos/someone/demo/git/refs/heads/")
    assert repo.files_at(repo.head)["src/app.py"] == "import os\nx = 1\ny = 2\n"


async def test_check_run_button_approves(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    payload = load_payload("check_run", "requested_action")
    payload["installation"] = {"id": installation_id, "node_id": "I"}
    payload["repository"].update(id=repo.repo_id, full_name=repo.full_name)
    payload["check_run"]["app"]["id"] = deps.settings.github_app_id
    payload["check_run"]["pull_requests"][0]["number"] = repo.pr_number
    payload["requested_action"] = {"identifier": f"fix:{fix.id}@{short_hash(fix.diff)}"}
    payload["sender"].update(login="root", type="User")
    await handle_requested_action(gh, deps, payload, delivery_id="d-1")
    await handle_requested_action(gh, deps, payload, delivery_id="d-1")  # redelivered: runs once
    assert len(github.calls_to("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")) == 1
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.status == "applied" and row.decided_by == "root"


async def test_help_and_bad_commands(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, "/triage help\n/triage frob"))
    [reply] = replies(github, repo)
    assert "/triage approve <fix-id> <hash>" in reply and "unknown command" in reply
    assert reactions(github) == ["eyes", "confused"]


async def test_a_fix_that_adds_and_deletes_files_commits_both(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    diff = unified_diff("requests\n", None, "requirements.txt") + unified_diff(
        None, '[project]\ndependencies = ["requests"]\n', "pyproject.toml"
    )
    # A replayed earlier fix (history) may create and delete files; one read from a log may not (below).
    fix = await stored_fix(deps, repo, installation_id, diff, source="history", rule="history")
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    files = repo.files_at(repo.head)
    assert "requirements.txt" not in files and files["pyproject.toml"].startswith("[project]")
    [tree] = github.calls_to("POST", "/repos/{owner}/{repo}/git/trees")
    assert {"path": "requirements.txt", "mode": "100644", "type": "blob", "sha": None} in tree.json["tree"]


async def test_secrets_in_a_reject_reason_are_not_stored(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await stored_fix(deps, repo, installation_id, FORMAT_DIFF)
    secret = "ghp_" + "x" * 36
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, f"/triage reject {fix.id} {secret}"))
    row = await store.get_fix(deps.pool, installation_id, fix.id)
    assert row is not None and row.reason is not None and secret not in row.reason
    [entry] = await store.audit_entries(deps.pool, installation_id)
    assert secret not in str(entry.detail) and secret not in (entry.message or "")
    assert secret not in replies(github, repo)[0]
