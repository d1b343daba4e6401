"""End to end through the real stack: a signed webhook to the ASGI app → deliveries row → arq worker
(handle_delivery → combined router → comments handler) → GitHub client with a minted installation token →
the fake GitHub (validated against the OpenAPI description) and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from analysis.fixes.patch import unified_diff
from analysis.fixes.verify import short_hash
from githubapp.deps import Deps
from githubapp.runtime import open_deps
from githubapp.settings import Settings
from storage import fixes as store
from tests.intake.conftest import asgi_client, run_worker, webhook_headers
from tests.support.fake_github import FakeGitHub
from tests.support.fixtures import WEBHOOK_SECRET
from tests.support.git_model import GitModel
from tests.support.payloads import load_payload

from .conftest import comment_payload
from .test_commands_service import approve_text

FORMAT_DIFF = unified_diff("import os\nx=1\ny = 2\n", "import os\nx = 1\ny = 2\n", "src/app.py")


@pytest.fixture
async def stack(base_settings: Settings, github: FakeGitHub, tmp_path: Path) -> AsyncIterator[Deps]:
    """The process's own deps (pool, its own arq queue, every service) with GitHub at the fake."""
    settings = replace(
        base_settings,
        github_api_url=github.url,
        data_dir=tmp_path / "data",
        queue_name=f"fixes-{uuid.uuid4().hex[:10]}:queue",
    )
    assert settings.github_private_key is not None
    async with open_deps(settings, run_migrations=False) as deps:
        github.verify_app_jwt(settings.github_private_key, 4242)
        yield deps


async def deliver(deps: Deps, event: str, payload: dict[str, Any], *, delivery_id: str | None = None) -> int:
    body = json.dumps(payload).encode()
    async with asgi_client(deps) as client:
        response = await client.post(
            "/webhooks/github", content=body, headers=webhook_headers(event, body, WEBHOOK_SECRET, delivery_id)
        )
    await run_worker(deps)
    return response.status_code


async def save_fix(deps: Deps, repo: GitModel, installation_id: int, diff: str) -> store.FixRow:
    return await store.save_fix(
        deps.pool,
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
        fingerprint="fp",
    )


def reactions(github: FakeGitHub) -> list[str]:
    calls = github.calls_to("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions")
    return [c.json["content"] for c in calls]


async def test_signed_approve_comment_commits_the_fix(
    stack: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await save_fix(stack, repo, installation_id, FORMAT_DIFF)
    before = repo.head
    status = await deliver(stack, "issue_comment", comment_payload(repo, installation_id, approve_text(fix)))
    assert status == 202
    [token] = github.calls_to("POST", "/app/installations/{installation_id}/access_tokens")
    assert token.params["installation_id"] == str(installation_id)
    assert len(github.calls_to("POST", "/repos/{owner}/{repo}/git/commits")) == 1
    [ref] = github.calls_to("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
    assert ref.headers["authorization"].startswith("token ghs_")
    assert repo.commits[repo.head]["parents"] == [before]
    assert repo.files_at(repo.head)["src/app.py"] == "import os\nx = 1\ny = 2\n"
    assert reactions(github) == ["eyes", "rocket"]
    row = await store.get_fix(stack.pool, installation_id, fix.id)
    assert row is not None and row.status == "applied" and row.commit_sha == repo.head

    # The next run, on the commit the fix made, passes: the fix is marked as having worked.
    run = load_payload("workflow_run", "completed")
    run["installation"] = {"id": installation_id, "node_id": "I"}
    run["repository"].update(id=repo.repo_id, full_name=repo.full_name, name=repo.repo)
    run["workflow_run"].update(head_sha=repo.head, conclusion="success")
    await deliver(stack, "workflow_run", run)
    row = await store.get_fix(stack.pool, installation_id, fix.id)
    assert row is not None and row.outcome == "worked"


async def test_signed_approve_by_a_reader_is_refused(
    stack: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await save_fix(stack, repo, installation_id, FORMAT_DIFF)
    before = repo.head
    await deliver(
        stack, "issue_comment", comment_payload(repo, installation_id, approve_text(fix), login="eve")
    )
    assert github.calls_to("POST", "/repos/{owner}/{repo}/git/commits") == [] and repo.head == before
    [reply] = github.issue_comments(repo.owner, repo.repo, repo.pr_number)
    assert "write, maintain or admin" in reply["body"]


async def test_redelivered_comment_runs_once(
    stack: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    payload = comment_payload(repo, installation_id, "/triage quarantine tests/test_a.py::test_b --days 3")
    await deliver(stack, "issue_comment", payload, delivery_id=str(uuid.uuid4()))
    await deliver(
        stack, "issue_comment", payload, delivery_id=str(uuid.uuid4())
    )  # the same comment replayed under another delivery id
    assert len(github.issue_comments(repo.owner, repo.repo, repo.pr_number)) == 1
    assert [q.test_id for q in await store.active_quarantines(stack.pool, installation_id, repo.repo_id)] == [
        "tests/test_a.py::test_b"
    ]


@pytest.mark.parametrize(
    "body",
    [
        "> /triage approve {id}",
        "```\n/triage approve {id}\n```",
        "/triage approve {id}\n" + "x" * 1_000_000,
    ],
)
async def test_hostile_comments_commit_nothing(
    stack: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
    body: str,
) -> None:
    fix = await save_fix(stack, repo, installation_id, FORMAT_DIFF)
    await deliver(stack, "issue_comment", comment_payload(repo, installation_id, body.format(id=fix.id)))
    assert github.calls_to("POST", "/repos/{owner}/{repo}/git/commits") == []
    replies = github.issue_comments(repo.owner, repo.repo, repo.pr_number)
    if len(body) > 100_000:
        assert "characters long" in replies[0]["body"]
    else:
        assert replies == []


async def test_check_run_button_through_the_webhook(
    stack: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    fix = await save_fix(stack, repo, installation_id, FORMAT_DIFF)
    payload = load_payload("check_run", "requested_action")
    payload["installation"] = {"id": installation_id, "node_id": "I"}
    payload["repository"].update(id=repo.repo_id, full_name=repo.full_name, name=repo.repo)
    payload["repository"]["owner"]["login"] = repo.owner
    payload["check_run"]["app"]["id"] = 4242
    payload["check_run"]["pull_requests"][0]["number"] = repo.pr_number
    payload["requested_action"] = {"identifier": f"fix:{fix.id}@{short_hash(fix.diff)}"}
    payload["sender"].update(login="root", type="User")
    await deliver(stack, "check_run", payload)
    assert len(github.calls_to("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")) == 1
